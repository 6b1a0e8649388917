"""The Celery app and the whole beat schedule, in one place.

Exactly one beat process may run per deployment (see README, "Scaling out"); every
periodic job is a sweep over due rows that is safe to run twice.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hearth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Every 5 minutes: email any notification whose delivery task was lost (a worker
    # died, the broker restarted). Claims are conditional, so nothing is sent twice.
    "agency-deliver-pending-emails": {
        "task": "agency.tasks.deliver_pending_emails",
        "schedule": crontab(minute="*/5"),
    },
    # Every 15 minutes: initial face-to-face contacts due within 4 hours (to the worker)
    # or overdue (to the supervisor). IFF windows are calendar hours, nights included.
    "casework-iff-reminders": {
        "task": "casework.tasks.send_iff_reminders",
        "schedule": crontab(minute="*/15"),
    },
    # Every 5 minutes: inquiries with 4 business hours left (to the assignee), overdue or
    # unassigned for 1 business hour (to the Ombudsman lead). Once per inquiry and threshold.
    "ombudsman-inquiry-reminders": {
        "task": "ombudsman.tasks.sweep_inquiry_reminders",
        "schedule": crontab(minute="*/5"),
    },
    # 08:00 Monday to Friday (America/New_York): the lead's digest of the queue. The service
    # skips holidays and closure days and sends once per lead and day.
    "ombudsman-digest": {
        "task": "ombudsman.tasks.send_ombudsman_digest",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon-fri"),
    },
    # 07:30 every day: children and parents not yet visited with 7 days left in the
    # month (to the worker), and anyone missed last month (to the supervisor, 1st-3rd).
    "casework-visit-reminders": {
        "task": "casework.tasks.send_visit_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # 07:35 every day: assessments due within 7 days (worker) or overdue (supervisor).
    "casework-assessment-reminders": {
        "task": "casework.tasks.send_assessment_reminders",
        "schedule": crontab(hour=7, minute=35),
    },
    # 07:40 every day: unlicensed kin placements past 30 days without a home-study
    # referral (worker and supervisor, once per placement).
    "casework-home-study-reminders": {
        "task": "casework.tasks.send_home_study_reminders",
        "schedule": crontab(hour=7, minute=40),
    },
    # Every 15 minutes: the key-indicator facts of this month and the last, so the
    # dashboards are at most a quarter of an hour behind (about 20 s at state scale).
    "quality-refresh-recent-indicators": {
        "task": "quality.tasks.refresh_recent_indicators",
        "schedule": crontab(minute="7,22,37,52"),
    },
    # 02:30 every night: every month the dashboards offer, for entries made late.
    "quality-refresh-all-indicators": {
        "task": "quality.tasks.refresh_all_indicators",
        "schedule": crontab(hour=2, minute=30),
    },
    # 07:50 every day: Administrative Case Reviews due within 30 days (configurable) or
    # overdue, to the case's primary worker and the unit supervisor; once per child, due
    # day and threshold.
    "quality-acr-reminders": {
        "task": "quality.tasks.acr_reminders",
        "schedule": crontab(hour=7, minute=50),
    },
    # 07:55 every day: Special Qualitative Review recommendations due within 14 days or
    # overdue, to their owner; once per recommendation, due day and threshold.
    "quality-sqr-recommendation-reminders": {
        "task": "quality.tasks.sqr_recommendation_reminders",
        "schedule": crontab(hour=7, minute=55),
    },
    # 07:45 every day: case plan reviews due within 7 days (worker) or overdue
    # (supervisor); approved plans are reviewed 6 months after approval.
    "casework-plan-review-reminders": {
        "task": "casework.tasks.send_plan_review_reminders",
        "schedule": crontab(hour=7, minute=45),
    },
    # 07:15 Monday to Friday: ORE data requests due within 3 business days (configurable)
    # or overdue, to the analyst and every ORE lead; none while waiting for a project
    # scope. Once per request, threshold and due date.
    # 07:25 every day: COOP duties not done, to each plan's senior administrator 30 and
    # 7 days before the quarter's due day (COOP rules); to OPM once the due day has
    # passed with duties open. Once per plan, quarter and threshold.
    "coop-reminders": {
        "task": "coop.tasks.send_coop_reminders",
        "schedule": crontab(hour=7, minute=25),
    },
    # 07:30 every day: family team meetings due within 7 days (configurable) or overdue
    # (FTDMs around placements, shared planning every 6 months after 180 days in care,
    # case-planning meetings), to the primary worker; overdue ones also to the supervisor.
    "casework-meeting-reminders": {
        "task": "casework.tasks.send_meeting_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # 07:35 every day: court reports due within 5 days (configurable) or overdue, to the
    # primary worker; overdue ones also to the supervisor.
    "casework-court-report-reminders": {
        "task": "casework.tasks.send_court_report_reminders",
        "schedule": crontab(hour=7, minute=35),
    },
    # 07:40 every day: supervisory next steps due within 3 days (configurable) to their
    # owner; overdue ones to the owner and the unit supervisor.
    "casework-next-step-reminders": {
        "task": "casework.tasks.send_next_step_reminders",
        "schedule": crontab(hour=7, minute=40),
    },
    "quality-data-request-reminders": {
        "task": "quality.tasks.send_data_request_reminders",
        "schedule": crontab(hour=7, minute=15, day_of_week="mon-fri"),
    },
}
