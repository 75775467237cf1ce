"""The web UI in a real headless Chromium (Debian's chromium and chromium-driver, driven by
Selenium): sign up and activate, file a bug with an attachment, comment, change its status,
search, and check that a confidential bug and a private comment stay invisible to an outsider.
Screenshots of the main pages, 1280 and 375 px wide, go to docs/screenshots/ (SQLite run only).
"""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from harness import ADMIN, OUTSIDER, PASSWORD, REPO

SCREENSHOTS = REPO / "docs" / "screenshots"
ALICE = "alice@example.com"
ALICE_PASSWORD = "plum-tree-42-blossom"
WAIT = 20  # seconds for a page or an upload


def chromium_paths() -> tuple[str, str]:
    browser = shutil.which("chromium") or "/usr/bin/chromium"
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (Path(browser).exists() and Path(driver).exists()):
        pytest.fail("chromium and chromium-driver are not installed (scripts/test.sh installs them)",
                    pytrace=False)
    return browser, driver


def make_driver(javascript: bool = True) -> webdriver.Chrome:
    browser, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                 "--no-proxy-server"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    # The driver path is given, so Selenium never tries to download one.
    return webdriver.Chrome(service=Service(driver), options=options)


class Browser:
    """One Chromium window on the site, with the steps people take."""

    def __init__(self, driver: webdriver.Chrome, base_url: str):
        self.driver = driver
        self.base_url = base_url

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def wait(self) -> WebDriverWait:
        # Chromium may answer "node does not belong to the document" while a page is replaced:
        # that is worth another look, not a failure.
        return WebDriverWait(self.driver, WAIT, ignored_exceptions=[WebDriverException])

    def find(self, css: str):
        return self.wait().until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))

    def fill(self, label_for: str, text: str) -> None:
        field = self.find(f"#{label_for}")
        field.clear()
        field.send_keys(text)

    def click_and_wait(self, css: str) -> None:
        """Clicks something that loads a page, and waits until the old page is gone."""
        old = self.wait().until(lambda d: d.find_element(By.TAG_NAME, "html"))
        self.find(css).click()
        self.wait().until(EC.staleness_of(old))

    def submit(self, form_css: str) -> None:
        self.click_and_wait(f"{form_css} button[type=submit]")

    @property
    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def log_in(self, login: str, password: str) -> None:
        self.open("/login")
        self.fill("login", login)
        self.fill("password", password)
        self.submit("form[action='/login']")
        WebDriverWait(self.driver, WAIT).until(lambda d: "/login" not in d.current_url)

    def log_out(self) -> None:
        self.open("/")
        self.click_and_wait("form[action='/logout'] button")
        self.find("a[href='/login']")

    def screenshot(self, name: str) -> None:
        """The page at 1280 and 375 px wide, whole height."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width in (1280, 375):
            self.driver.set_window_size(width, 900)
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(width, min(max(height, 600), 4000))
            self.driver.save_screenshot(str(SCREENSHOTS / f"{name}-{width}.png"))
        self.driver.set_window_size(1280, 900)

    def csp_violations(self) -> list[str]:
        return [entry["message"] for entry in self.driver.get_log("browser")
                if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]]


@pytest.fixture(scope="module")
def browser(site):
    driver = make_driver()
    try:
        yield Browser(driver, site.server.base_url)
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def shots(backend):
    """Whether this run takes the screenshots (one backend is enough)."""
    return backend is None


def activation_link(folder: Path, address: str) -> str:
    """The link in the newest activation mail to `address`, once the job queue has written it."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml"), reverse=True):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"] and address in message["To"] and message["X-BugZot-Type"] == "activation":
                text = message.get_body(preferencelist=("plain",)).get_content()
                return re.search(r"http://\S+/activate\?token=\w+", text).group(0)
        time.sleep(0.2)
    raise AssertionError(f"no activation mail to {address} in {folder}")


def bug_id_from(url: str) -> int:
    match = re.search(r"/bug/(\d+)", url)
    assert match, url
    return int(match.group(1))


def test_sign_up_and_activate(site, browser, story, shots):
    browser.open("/")
    if shots:
        browser.screenshot("welcome")
    browser.open("/signup")
    browser.fill("login", ALICE)
    browser.fill("name", "Alice Example")
    browser.fill("password", ALICE_PASSWORD)
    browser.fill("password_confirm", ALICE_PASSWORD)
    browser.submit("form[action='/signup']")
    assert "Check your email" in browser.find("h1").text
    # The account is pending: logging in is refused until the link is followed.
    browser.open("/login")
    browser.fill("login", ALICE)
    browser.fill("password", ALICE_PASSWORD)
    browser.submit("form[action='/login']")
    assert "has not been activated" in browser.find(".error").text
    # With no SMTP server configured, the activation mail is written to the data folder.
    browser.driver.get(activation_link(site.server.data_dir / "mail", ALICE))
    assert "Your account is active" in browser.find(".notice").text
    assert "My bugs" in browser.find("h1").text
    story["alice"] = True


def test_file_a_bug_with_an_attachment(site, browser, story, shots, tmp_path):
    story.need("alice")
    browser.open("/bug/new")
    browser.click_and_wait("a[href='/bug/new?product=Widget']")
    Select(browser.find("#component")).select_by_visible_text("Backend")
    browser.fill("summary", "Saving a widget crashes the editor")
    browser.fill("description", "Steps:\n\n1. open a widget\n2. press *save*\n\n```\nSegfault at 0x0\n```")
    log = tmp_path / "crash.log"
    log.write_text("Segfault at 0x0\nstack: save -> write -> boom\n")
    browser.fill("attachment_summary", "Crash log")
    browser.find("#attachment-file").send_keys(str(log))
    if shots:
        browser.screenshot("file-a-bug")
    browser.submit("form[action='/bug/new']")
    browser.find(".notice")
    bug = bug_id_from(browser.driver.current_url)
    assert "The bug was filed." in browser.text
    assert "Saving a widget crashes the editor" in browser.find("h1").text
    assert browser.find(".comment-text em").text == "save"
    link = browser.find("ul.attachments a")
    assert link.text == "Crash log"
    story["bug"] = bug
    # The attachment downloads with the browser's session.
    body = browser.driver.execute_script(
        "return fetch(arguments[0]).then(r => r.text())", link.get_attribute("href"))
    assert "stack: save" in body


def test_comment_and_upload_with_progress(site, browser, story, tmp_path):
    bug = story.need("bug")
    browser.open(f"/bug/{bug}")
    browser.fill("comment", "Also happens with **big** widgets, see bug %d." % bug)
    browser.click_and_wait("#bug-form section:last-of-type button[type=submit]")
    browser.find(".notice")
    assert browser.find(f".comment-text strong").text == "big"
    # The upload form goes through the page's script, with a progress bar.
    shot = tmp_path / "screen.txt"
    shot.write_bytes(b"pretend screenshot\n" * 50_000)
    browser.fill("attachment_summary", "Screen dump")
    browser.find("#attachment-file").send_keys(str(shot))
    browser.find("#attach-button").click()
    WebDriverWait(browser.driver, WAIT).until(lambda d: "done=attached" in d.current_url)
    names = [a.text for a in browser.driver.find_elements(By.CSS_SELECTOR, "ul.attachments a")]
    assert "Screen dump" in names
    assert browser.csp_violations() == []


def test_reply_with_quote(site, browser, story):
    bug = story.need("bug")
    browser.open(f"/bug/{bug}")
    browser.find("#c0 a.reply").click()
    text = browser.find("#comment").get_attribute("value")
    assert text.startswith("(In reply to Alice Example from comment #0)\n> Steps:")


def test_status_change_by_the_assignee(site, browser, story, shots):
    bug = story.need("bug")
    browser.log_out()
    browser.log_in(ADMIN, PASSWORD)
    browser.open(f"/bug/{bug}")
    Select(browser.find("#field-status")).select_by_value("RESOLVED")
    Select(browser.find("#field-resolution")).select_by_value("FIXED")
    browser.fill("comment", "Fixed by checking for a null widget.")
    browser.click_and_wait("#bug-form section:last-of-type button[type=submit]")
    assert "RESOLVED FIXED" in browser.find(".status").text
    assert site.admin.bug(bug)["status"] == "RESOLVED"
    if shots:
        browser.screenshot("bug")


def test_search(site, browser, story, shots):
    bug = story.need("bug")
    browser.open("/")
    # Bugzilla's quicksearch: open bugs unless a status word says otherwise (this one is fixed by now).
    browser.fill("quicksearch", "ALL widget crashes")
    browser.submit("form.quick")
    WebDriverWait(browser.driver, WAIT).until(lambda d: "quicksearch=ALL" in d.current_url)
    browser.find("table.bugs tbody tr")
    rows = browser.driver.find_elements(By.CSS_SELECTOR, "table.bugs tbody tr")
    assert any(f"/bug/{bug}" in row.get_attribute("innerHTML") for row in rows)
    Select(browser.find("#f-product")).select_by_visible_text("Widget")
    browser.submit("form.filters")
    WebDriverWait(browser.driver, WAIT).until(lambda d: "product=Widget" in d.current_url)  # bookmarkable
    if shots:
        browser.screenshot("bug-list")


def test_confidential_bug_and_private_comment_stay_hidden(site, browser, story, shots):
    bug = story.need("bug")
    # The admin (a member of `secret`, and an insider) files a confidential bug and a private comment.
    browser.open("/bug/new?product=Widget")
    browser.fill("summary", "Unannounced partner integration")
    browser.fill("description", "Details under NDA.")
    browser.find("input[name=groups][value=secret]").click()
    browser.submit("form[action='/bug/new']")
    browser.find(".notice")
    secret = bug_id_from(browser.driver.current_url)
    assert "Confidential: secret" in browser.text
    browser.open(f"/bug/{bug}")
    browser.fill("comment", "Internal: the partner asked for this fix first.")
    browser.find("input[name=comment_private]").click()
    browser.click_and_wait("#bug-form section:last-of-type button[type=submit]")
    assert "private" in browser.find(".comment.private .badge").text
    # A reply to it is private too, unless the admin unticks the box: quoting can't leak it.
    browser.find(".comment.private a.reply").click()
    assert "> Internal: the partner" in browser.find("#comment").get_attribute("value")
    assert browser.find("input[name=comment_private]").is_selected()
    browser.find("#comment").clear()
    browser.find("input[name=comment_private]").click()
    if shots:
        browser.open("/admin")
        browser.screenshot("admin")
        browser.open("/admin/workflow")
        browser.screenshot("admin-workflow")
    browser.log_out()

    browser.log_in(OUTSIDER, PASSWORD)
    browser.open(f"/bug/{secret}")
    assert "Error 404" in browser.find("h1").text
    browser.open("/bugs?status=all")
    assert "Unannounced partner" not in browser.text
    browser.open("/bugs?status=all&q=partner")
    assert "Unannounced partner" not in browser.text
    browser.open(f"/bug/{bug}")
    assert "Internal: the partner" not in browser.driver.page_source
    assert "Saving a widget crashes the editor" in browser.text
    if shots:
        browser.open("/")
        browser.screenshot("home")
    browser.log_out()


def test_pages_work_without_javascript(site, story):
    bug = story.need("bug")
    driver = make_driver(javascript=False)
    try:
        browser = Browser(driver, site.server.base_url)
        browser.log_in(OUTSIDER, PASSWORD)
        browser.open(f"/bug/{bug}")
        browser.click_and_wait("#c0 a.reply")  # without script: the server quotes the comment
        assert "(In reply to" in browser.find("#comment").get_attribute("value")
        browser.fill("comment", "Same here, without JavaScript.")
        browser.click_and_wait("#bug-form section:last-of-type button[type=submit]")
        assert "Your changes were saved." in browser.find(".notice").text
        assert "Same here, without JavaScript." in browser.text
        # Follow is a button of the same form: the comment being typed comes back, unsaved.
        browser.fill("comment", "Still typing this")
        browser.click_and_wait("button[name=follow]")
        assert "You follow this bug now" in browser.text and "not saved yet" in browser.text
        assert browser.find("#comment").get_attribute("value") == "Still typing this"
    finally:
        driver.quit()


UNLABELLED_CONTROLS = """
return [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby')
               && !(c.tagName === 'BUTTON' && c.textContent.trim()))
  .map(c => c.outerHTML.slice(0, 120));
"""


def test_every_control_has_a_label(site, browser, story):
    bug = story.need("bug")
    browser.log_in(ADMIN, PASSWORD)
    for path in ["/", "/bugs", f"/bug/{bug}", "/bug/new?product=Widget", "/account", "/admin/users",
                 "/admin/products/Widget", "/admin/workflow", "/admin/groups"]:
        browser.open(path)
        browser.find("main")
        assert browser.driver.execute_script(UNLABELLED_CONTROLS) == [], path
    browser.log_out()
    for path in ["/login", "/signup"]:
        browser.open(path)
        assert browser.driver.execute_script(UNLABELLED_CONTROLS) == [], path


def test_keyboard_reaches_the_main_content(site, browser):
    browser.open("/bugs")
    ActionChains(browser.driver).send_keys(Keys.TAB).perform()
    focused = browser.driver.switch_to.active_element
    assert focused.get_attribute("class") == "skip" and focused.is_displayed()
    # Following it moves focus to the page's content.
    ActionChains(browser.driver).send_keys(Keys.ENTER).perform()
    assert browser.driver.switch_to.active_element.get_attribute("id") == "main"


def new_bug(site, summary: str) -> int:
    return site.admin.post("/bug", {"product": "Widget", "component": "Backend", "version": "1.0",
                                    "summary": summary, "description": "Made for a test."},
                           expect=(200, 201))["id"]


def signed_in_as_admin(browser) -> None:
    browser.driver.delete_all_cookies()
    browser.log_in(ADMIN, PASSWORD)


def test_resolution_and_duplicate_show_only_when_closing(site, browser, story, shots):
    original = story.need("bug")
    bug = new_bug(site, "Another crash on save")
    signed_in_as_admin(browser)
    browser.open(f"/bug/{bug}")
    resolution = browser.find(".field-resolution")
    duplicate = browser.find(".field-dupe_of")
    assert not resolution.is_displayed() and not duplicate.is_displayed()
    Select(browser.find("#field-status")).select_by_value("RESOLVED")
    assert resolution.is_displayed() and not duplicate.is_displayed()
    Select(browser.find("#field-resolution")).select_by_value("DUPLICATE")
    assert duplicate.is_displayed()
    browser.fill("field-dupe_of", str(original))
    browser.click_and_wait("#save-button")
    assert f"DUPLICATE of bug {original}" in browser.find(".status").text
    browser.click_and_wait(f".status a[href='/bug/{original}']")
    assert bug_id_from(browser.driver.current_url) == original


def test_follow_and_attach_keep_the_typed_comment(site, browser, story, tmp_path):
    bug = new_bug(site, "Typing must not be lost")
    signed_in_as_admin(browser)
    browser.open(f"/bug/{bug}")
    browser.fill("comment", "Half a thought about the crash")
    browser.click_and_wait("button[name=follow]")
    assert "not saved yet" in browser.text
    assert browser.find("#comment").get_attribute("value") == "Half a thought about the crash"
    assert len(site.admin.comments(bug)) == 1
    # Attach (through the script, with its progress bar): the typed comment goes with the file.
    log = tmp_path / "trace.txt"
    log.write_text("trace\n")
    browser.fill("attachment_summary", "Trace")
    browser.find("#attachment-file").send_keys(str(log))
    browser.find("#attach-button").click()
    WebDriverWait(browser.driver, WAIT).until(lambda d: "done=attached" in d.current_url)
    texts = [c["text"] for c in site.admin.comments(bug)]
    assert texts[-1].startswith("Created attachment") and "Half a thought about the crash" in texts[-1]
    assert browser.find("#comment").get_attribute("value") == ""
    link = browser.find(".comment-text a[href^='/attachments/']")
    assert link.text.startswith("attachment ")
    assert browser.csp_violations() == []


def test_mid_air_collision_keeps_my_edits_and_shows_theirs(site, browser, story, shots):
    bug = new_bug(site, "Two people at once")
    signed_in_as_admin(browser)
    browser.open(f"/bug/{bug}")
    Select(browser.find("#field-priority")).select_by_value("Low")
    browser.fill("comment", "My view: low priority.")
    time.sleep(1.1)  # change times are whole seconds
    site.admin.put(f"/bug/{bug}", {"severity": "critical", "comment": {"body": "This is critical!"}})
    browser.click_and_wait("#save-button")
    assert "Someone changed this bug after you opened it" in browser.find(".error").text
    meanwhile = browser.find(".meanwhile").text
    assert "severity" in meanwhile and "critical" in meanwhile and "comment 1" in meanwhile
    assert Select(browser.find("#field-priority")).first_selected_option.get_attribute("value") == "Low"
    assert Select(browser.find("#field-severity")).first_selected_option.get_attribute("value") == "critical"
    assert browser.find("#comment").get_attribute("value") == "My view: low priority."
    if shots:
        browser.screenshot("mid-air")
    browser.click_and_wait("#save-button")
    assert "Your changes were saved." in browser.find(".notice").text
    saved = site.admin.bug(bug)
    assert (saved["priority"], saved["severity"]) == ("Low", "critical")
    if shots:
        browser.screenshot("bug-after-collision")


def wait_until_live(browser) -> None:
    """Until the page's script has joined /ws and holds its subscriptions."""
    browser.wait().until(lambda d: d.execute_script("return document.documentElement.dataset.live") == "subscribed")


def test_bug_page_shows_changes_and_comments_as_they_commit(site, browser, story, shots):
    bug = new_bug(site, "Watched as it changes")
    signed_in_as_admin(browser)
    browser.open(f"/bug/{bug}")
    wait_until_live(browser)
    site.admin.put(f"/bug/{bug}", {"status": "ASSIGNED", "comment": {"body": "Taking this one."}})
    news = browser.wait().until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-live-bug]").text
                                if "ASSIGNED" in d.find_element(By.CSS_SELECTOR, "[data-live-bug]").text else None)
    assert f"{ADMIN} changed status: NEW → ASSIGNED" in news
    comment = browser.find("ol.comments > li.live-new")
    assert "Taking this one." in comment.text
    browser.wait().until(lambda d: "ASSIGNED" in d.find_element(By.CSS_SELECTOR, "p.meta").text)
    assert not browser.find("#live-collision").is_displayed(), "nothing typed, so no collision to announce"
    if shots:
        browser.screenshot("bug-live")
    assert browser.csp_violations() == []


def test_a_mid_air_collision_is_announced_before_saving(site, browser, story):
    bug = new_bug(site, "Edited by two people")
    signed_in_as_admin(browser)
    browser.open(f"/bug/{bug}")
    wait_until_live(browser)
    browser.fill("comment", "Half-written thoughts")
    site.admin.put(f"/bug/{bug}", {"priority": "Low"})
    warning = browser.wait().until(EC.visibility_of_element_located((By.ID, "live-collision")))
    assert "priority" in warning.text and "Low" in warning.text
    assert browser.find("#comment").get_attribute("value") == "Half-written thoughts"


def test_bug_list_marks_changed_rows_and_offers_new_matches(site, browser, story):
    bug = new_bug(site, "Listed and then renamed: kingfisher")
    signed_in_as_admin(browser)
    browser.open("/bugs?q=kingfisher")
    wait_until_live(browser)
    site.admin.put(f"/bug/{bug}", {"summary": "Listed, renamed while shown: kingfisher"})
    browser.find(f"tr.live-changed[data-bug-id='{bug}']")
    browser.wait().until(lambda d: "renamed while shown" in d.find_element(By.CSS_SELECTOR, f"tr[data-bug-id='{bug}']").text)
    new_bug(site, "Filed while the list is open: kingfisher")
    offer = browser.wait().until(EC.visibility_of_element_located((By.ID, "live-matches")))
    assert "1 new bug matches" in offer.text
