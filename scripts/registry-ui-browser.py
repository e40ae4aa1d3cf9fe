#!/usr/bin/env python3
"""Drives the registry's web UI in headless Chromium (Selenium, Debian's chromium and chromium-driver) and
prints one JSON object of what it saw, for UIBrowserTests to assert on.

    QUENCH_UI_APPROVER_TOKEN=... QUENCH_UI_TRAINER_APPROVER_TOKEN=... \\
        scripts/registry-ui-browser.py --url http://127.0.0.1:PORT --model support-bot \\
        --pending 2 --second 3 --own 1 --screenshots .build/ui-screenshots

Tokens come from the environment only, never the command line. The flow: sign in as the approver, approve
version --pending with a note holding markup, promote it to production, approve and promote version
--second (the alias moves), sign out; sign in as the trainer-approver and try to approve --own, the
version they registered (refused). Screenshots of the models list and a version page at laptop width,
and the version page at phone width. Exit 0 with the observations, or exit 1 with {"error": ...}.
"""
import argparse
import json
import os
import sys
import time
import traceback

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
NOTE = "Reviewed <script>alert(1)</script> & approved"
LAPTOP = (1280, 900)
PHONE = (390, 844)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the server's base URL")
    parser.add_argument("--model", required=True)
    parser.add_argument("--pending", type=int, required=True, help="a pending version the approver did not register")
    parser.add_argument("--second", type=int, required=True, help="another such version, promoted after --pending")
    parser.add_argument("--own", type=int, required=True, help="a pending version the trainer-approver registered")
    parser.add_argument("--screenshots", required=True, help="folder for the PNG files")
    return parser.parse_args()


def token(variable):
    value = os.environ.get(variable)
    if not value:
        raise SystemExit(json.dumps({"error": f"{variable} is not set"}))
    return value


class Browser:
    """One headless Chromium session and the few page operations the flow needs."""

    def __init__(self, base):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={LAPTOP[0]},{LAPTOP[1]}", "--hide-scrollbars"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(30)
        self.base = base.rstrip("/")
        self.console = []

    def quit(self):
        self.driver.quit()

    def open(self, path):
        self.driver.get(self.base + path)
        self.collect_console()

    def path(self):
        from urllib.parse import urlsplit

        parts = urlsplit(self.driver.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def find(self, css):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css):
        found = self.find_all(css)
        return found[0].text if found else None

    def submit(self, form_css, fields=None, choose=None):
        """Fills a form's fields (name -> text), picks options of its selects (name -> value), clicks its
        submit button and waits for the next page."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        form = self.find(form_css)
        for name, value in (fields or {}).items():
            field = form.find_element(By.NAME, name)
            field.clear()
            field.send_keys(value)
        for name, value in (choose or {}).items():
            Select(form.find_element(By.NAME, name)).select_by_value(value)
        button = form.find_element(By.CSS_SELECTOR, "button[type=submit], button:not([type]), input[type=submit]")
        button.click()
        self.wait_for_next_page(form)
        self.collect_console()

    def wait_for_next_page(self, old):
        """Waits until `old` (an element of the page being left) is gone and the next page has loaded.
        Gone is any error reaching it: stale, or, as chromedriver 156 sometimes answers mid-navigation,
        "Node with given id does not belong to the document" (which expected_conditions.staleness_of
        lets through)."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        def gone(_):
            try:
                old.is_enabled()
                return False
            except WebDriverException:
                return True

        WebDriverWait(self.driver, 20).until(gone)
        WebDriverWait(self.driver, 20).until(lambda driver: driver.execute_script("return document.readyState") == "complete")

    def sign_in(self, secret):
        self.open("/ui/sign-in")
        self.submit("form#sign-in", fields={"token": secret})

    def sign_out(self):
        form = self.find("form[action='/ui/sign-out']")
        form.find_element("css selector", "button").click()
        self.wait_for_next_page(form)

    def alert_opened(self):
        from selenium.common.exceptions import NoAlertPresentException

        try:
            alert = self.driver.switch_to.alert
            text = alert.text
            alert.dismiss()
            return text
        except NoAlertPresentException:
            return None

    def flash(self):
        found = self.find_all("#flash")
        if not found:
            return None
        return {"text": found[0].text, "class": found[0].get_attribute("class")}

    def tab_order(self, presses):
        """The elements Tab reaches from the top of a freshly loaded page, as 'tag#id-or-name@form'."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.keys import Keys

        reached = []
        for _ in range(presses):
            ActionChains(self.driver).send_keys(Keys.TAB).perform()
            element = self.driver.switch_to.active_element
            tag = element.tag_name.lower()
            label = element.get_attribute("id") or element.get_attribute("name") or element.text.strip()[:30]
            form = self.driver.execute_script("return arguments[0].form ? arguments[0].form.id : null", element)
            reached.append(f"{tag}#{label}" + (f"@{form}" if form else ""))
        return reached

    def screenshot(self, folder, name, size):
        self.driver.set_window_size(*size)
        time.sleep(0.3)
        path = os.path.join(folder, name)
        # The whole page height, so the screenshot shows every section, not just the first screen.
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(size[0], max(size[1], min(int(height) + 120, 6000)))
        time.sleep(0.3)
        self.driver.save_screenshot(path)
        self.driver.set_window_size(*size)
        return os.path.abspath(path)

    def page_width(self):
        return self.driver.execute_script(
            "return {scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,"
            " inner: window.innerWidth}")

    def collect_console(self):
        for entry in self.driver.get_log("browser"):
            message = entry.get("message", "")
            if "favicon.ico" not in message:
                self.console.append(message)


def version_page(browser, model, version):
    browser.open(f"/ui/models/{model}/versions/{version}")
    return {
        "path": browser.path(),
        "summary": browser.text("#summary"),
        "status": browser.text("#summary .status"),
        "note": browser.text("#decision-note"),
        "lineage": browser.text("#lineage"),
        "signature": browser.text("#signature-status"),
        "has_loss_curve_svg": bool(browser.find_all("#loss-curve svg")),
        "forms": [form.get_attribute("id") for form in browser.find_all("#actions form")],
    }


def table_rows(browser, css):
    return [[cell.text for cell in row.find_elements("css selector", "td, th")]
            for row in browser.find_all(f"{css} tbody tr")]


def version_order(browser):
    """The model page's version rows as the server orders them, then after one and two clicks on the
    first date column's sort button."""
    rows = lambda: [int(row.get_attribute("data-version")) for row in browser.find_all("#versions tr[data-version]")]
    orders = {"server": rows()}
    button = browser.find("#versions th[data-sort='time'] button")
    button.click()
    orders["first_click"] = rows()
    button.click()
    orders["second_click"] = rows()
    return orders


def search_as_you_type(browser, model):
    """Whether the model's row shows after typing, without submitting, a text it lacks and then a part of its name."""
    browser.open("/ui/models")
    field = browser.find("#model-search")
    row = lambda: browser.find(f"#models tr[data-model='{model}']")
    field.send_keys("no-such-model")
    shown = {"unmatched": row().is_displayed()}
    field.clear()
    field.send_keys(model[:4])
    shown["matched"] = row().is_displayed()
    return shown


def flow(browser, options, approver, trainer_approver):
    seen = {}
    model = options.model
    version_path = lambda number: f"/ui/models/{model}/versions/{number}"

    browser.open("/ui/models")
    seen["unsigned_redirect"] = browser.path()
    seen["sign_in_tab_order"] = browser.tab_order(6)
    browser.submit("form#sign-in", fields={"token": approver})
    seen["after_sign_in"] = browser.path()
    seen["header_user"] = browser.text("header")
    seen["models"] = [row.get_attribute("data-model") for row in browser.find_all("#models tr[data-model]")]
    seen["models_search"] = bool(browser.find_all("input#model-search[type=search]"))

    seen["pending_before"] = version_page(browser, model, options.pending)
    seen["version_tab_order"] = browser.tab_order(150)
    browser.submit("form#approve", fields={"note": NOTE})
    seen["approve_alert"] = browser.alert_opened()
    seen["approve_flash"] = browser.flash()
    seen["approve_path"] = browser.path()
    seen["approved"] = version_page(browser, model, options.pending)
    seen["raw_markup_in_page"] = "<script>alert(1)</script>" in browser.driver.page_source
    seen["scripts"] = [script.get_attribute("src") for script in browser.find_all("script")]

    browser.submit("form#promote", choose={"alias": "production"})
    seen["promote_flash"] = browser.flash()
    seen["promoted"] = version_page(browser, model, options.pending)
    seen["screenshot_version"] = browser.screenshot(options.screenshots, "version-page.png", LAPTOP)
    seen["screenshot_version_phone"] = browser.screenshot(options.screenshots, "version-page-phone.png", PHONE)
    seen["phone_width"] = browser.page_width()
    browser.driver.set_window_size(*LAPTOP)

    browser.open(version_path(options.second))
    browser.submit("form#approve", fields={"note": "second candidate"})
    browser.submit("form#promote", choose={"alias": "production"})
    seen["second_promote_flash"] = browser.flash()
    browser.open("/ui/models")
    seen["models_aliases"] = [alias.text for alias in browser.find_all(f"#models tr[data-model='{model}'] .alias")]
    # Taken once the alias has moved, so the list shows it.
    seen["screenshot_models"] = browser.screenshot(options.screenshots, "models-list.png", LAPTOP)
    browser.open(f"/ui/models/{model}")
    seen["alias_history"] = table_rows(browser, "#alias-history")
    seen["alias_history_links"] = [link.get_attribute("href").split(browser.base, 1)[-1]
                                   for link in browser.find_all("#alias-history a")]
    seen["version_order"] = version_order(browser)
    seen["first_after_move"] = version_page(browser, model, options.pending)
    seen["search"] = search_as_you_type(browser, model)
    browser.open("/ui/audit")
    seen["audit_verification"] = browser.text("#audit-verification")
    seen["audit_rows"] = len(browser.find_all("#audit-log tbody tr"))
    seen["audit_checkpoint"] = browser.text("#checkpoint")

    browser.sign_out()
    seen["after_sign_out"] = browser.path()
    browser.open(f"/ui/models/{model}")
    seen["signed_out_redirect"] = browser.path()

    browser.sign_in(trainer_approver)
    browser.open(version_path(options.own))
    browser.submit("form#approve", fields={"note": "my own"})
    seen["own_approval_flash"] = browser.flash()
    seen["own_after"] = version_page(browser, model, options.own)
    seen["console"] = browser.console
    return seen


def main():
    options = arguments()
    approver = token("QUENCH_UI_APPROVER_TOKEN")
    trainer_approver = token("QUENCH_UI_TRAINER_APPROVER_TOKEN")
    os.makedirs(options.screenshots, exist_ok=True)
    try:
        browser = Browser(options.url)
    except Exception as error:  # selenium's errors name the missing driver or browser
        print(json.dumps({"error": f"cannot start chromium through chromedriver: {error}"}))
        return 1
    try:
        seen = flow(browser, options, approver, trainer_approver)
    except Exception as error:
        print(json.dumps({"error": f"{type(error).__name__}: {error}", "at": browser.path(),
                          "page": browser.driver.page_source[:2000], "trace": traceback.format_exc()[-2000:]}))
        return 1
    finally:
        browser.quit()
    text = json.dumps(seen)
    if approver in text or trainer_approver in text:
        print(json.dumps({"error": "a token appeared in what the browser saw"}))
        return 1
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
