from tests.casework.test_intake_views import extension, intake, iff, now, url  # noqa
def test_x(client, personas, extension):
    client.force_login(personas.supervisor)
    r = client.get(url("intake_new"))
    html = r.text
    i = html.find("Allegations about this child")
    print(html[i-300:i+600])
    r = client.get(url("intake_detail", extension.iff.intake))
    i = r.text.find("<table", r.text.find("iff-heading"))
    print(r.text[i:i+2600])
