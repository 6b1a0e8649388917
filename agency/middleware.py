import time


class IdleSessionMiddleware:
    """End a session after SESSION_COOKIE_AGE (30 minutes) without a request.

    The session's expiry moves forward each time it is saved. Saving on every request
    (SESSION_SAVE_EVERY_REQUEST) would cost a database write per page view; touching
    the session at most once a minute keeps the idle limit to within a minute for one
    write a minute per active user.
    """

    TOUCH_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get("_touched", 0) >= self.TOUCH_EVERY_SECONDS:
                session["_touched"] = now
        return response
