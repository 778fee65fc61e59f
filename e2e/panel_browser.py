"""Driving the web panel in a real headless Chromium: finding controls by their labels and texts (as a user
does), waiting for what the page shows, and reading what the browser reported."""
import contextlib
import os
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

SCREENSHOTS = os.environ.get("BERQENAS_SCREENSHOT_DIR", "/tmp/berqenas-panel-screenshots")


def start_chromium(width=1280, height=900):
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}", "--lang=en-US"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def xpath_literal(text):
    if "'" not in text:
        return f"'{text}'"
    return "concat('" + text.replace("'", "',\"'\",'") + "')"


class Panel:
    """One browser on one hub's panel."""

    def __init__(self, driver, base_url):
        self.driver = driver
        self.base_url = base_url
        self.allowed_console = []  # substrings of console errors a step provoked on purpose

    # Navigation and waiting

    def open(self, path="/"):
        self.driver.get(f"{self.base_url}/#{path}")
        self.settled()

    def go(self, path):
        """Opens another page of the panel and waits until it has replaced the one shown."""
        if self.driver.execute_script("return location.hash") == "#" + path:
            self.settled()
            return
        shown = self.driver.find_elements(By.CSS_SELECTOR, "main h1")
        self.driver.execute_script("location.hash = arguments[0]", "#" + path)
        if shown:
            self.wait(staleness_of(shown[0]), message=f"{path} did not replace the page shown")
        self.settled()

    def wait(self, condition, timeout=30, message="the page did not get there"):
        def check(driver):
            try:
                return condition(driver)
            except (StaleElementReferenceException, WebDriverException):
                return False
        return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(check, message)

    def settled(self, timeout=30):
        """Waits until the page shows a heading and nothing is loading any more."""
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "main h1")
                  and not d.find_elements(By.CSS_SELECTOR, "main .state.loading"), timeout,
                  "the page kept loading")

    def heading(self):
        return self.driver.find_element(By.CSS_SELECTOR, "main h1").text

    def text_appears(self, text, timeout=30, scope="body"):
        return self.wait(lambda d: text in d.find_element(By.CSS_SELECTOR, scope).text, timeout,
                         f"'{text}' did not appear")

    def sign_in(self, username, password):
        """Signs in from the sign-in screen and waits for the page it leads to."""
        self.open("/")
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, 'form[aria-label="Sign in"]'), message="no sign-in form")
        self.fill("Username", username, "Sign in")
        self.fill("Password", password, "Sign in")
        self.click("Sign in", self.scope("Sign in"))
        self.wait(lambda d: not d.find_elements(By.CSS_SELECTOR, 'form[aria-label="Sign in"]'), message="still signing in")
        self.settled()

    # Controls, found as a user finds them

    def scope(self, form_label=None):
        if form_label is None:
            return self.driver
        return self.wait(lambda d: d.find_element(By.CSS_SELECTOR, f'form[aria-label="{form_label}"]'),
                         message=f"no form '{form_label}'")

    def field(self, label, form_label=None):
        scope = self.scope(form_label)
        element = scope.find_element(By.XPATH, f".//label[normalize-space()={xpath_literal(label)}]")
        return self.driver.find_element(By.ID, element.get_attribute("for"))

    def fill(self, label, value, form_label=None):
        control = self.field(label, form_label)
        if control.tag_name == "select":
            self.driver.execute_script(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}))",
                control, value)
        elif control.get_attribute("type") == "checkbox":
            if control.is_selected() != bool(value):
                control.click()
        else:
            control.clear()
            control.send_keys(str(value))
        return control

    def button(self, text, scope=None, timeout=30):
        root = scope or self.driver
        return self.wait(lambda d: next((b for b in root.find_elements(By.XPATH, f".//button[normalize-space()={xpath_literal(text)} or @aria-label={xpath_literal(text)}]")
                                         if b.is_displayed() and b.is_enabled()), None), timeout, f"no button '{text}'")

    def click(self, text, scope=None):
        element = self.button(text, scope)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()
        return element

    def buttons(self, text):
        return [b for b in self.driver.find_elements(By.XPATH, f"//main//button[normalize-space()={xpath_literal(text)}]") if b.is_displayed()]

    def link(self, text):
        return self.wait(lambda d: d.find_element(By.XPATH, f"//a[normalize-space()={xpath_literal(text)}]"),
                         message=f"no link '{text}'")

    # What the browser reported

    def console_errors(self):
        """Severe console entries since the last call, minus those a step provoked on purpose."""
        entries = self.driver.get_log("browser")
        errors = [e["message"] for e in entries if e["level"] == "SEVERE"]
        return [e for e in errors if not any(allowed in e for allowed in self.allowed_console)]

    def fits(self):
        """Whether the page needs no sideways scrolling."""
        return self.driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1")

    @contextlib.contextmanager
    def step(self, name):
        """A step of a scenario: a screenshot is saved when it fails."""
        try:
            yield
        except BaseException:
            os.makedirs(SCREENSHOTS, exist_ok=True)
            path = os.path.join(SCREENSHOTS, f"{int(time.time())}-{name.replace(' ', '-')}.png")
            with contextlib.suppress(WebDriverException):
                self.driver.save_screenshot(path)
                print(f"screenshot of the failing step '{name}': {path}")
            raise
