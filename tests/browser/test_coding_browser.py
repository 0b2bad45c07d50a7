"""End to end: CodingView in JupyterLab in headless Chromium codes text that read_study reads back.

Starts a Jupyter server on 127.0.0.1 (random free port, a token) in a temporary
folder holding a small study, opens a notebook with the widget in Debian's
Chromium driven by Playwright, selects a phrase after an emoji with the mouse,
codes it with its number key, accepts one machine suggestion and rejects
another, then checks ``codings.csv``, the action log and ``plcase.read_study``.
The screenshot goes to the test's folder and to ``docs/coding-view.png``.
"""

import csv
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import sync_playwright

import plcase
from plcase import config

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

TRANSCRIPT = """---
id: T1
school: Test School
source: interview
role: teacher
participant: Ms. Test
synthetic: true
---
INTERVIEWER: How did the first week go? 😀 Tell me everything.
TEACHER: 😀 Honestly great, the kids 👩‍🏫 chose their own projects and presented them on Friday.
INTERVIEWER: And the staff?
TEACHER: We trust each other now; when a lesson flops we talk about it on Monday.
"""

NOTEBOOK_CELL = """\
import pandas as pd
import plcase
study = plcase.read_study("study")
p = study.passages
suggestions = pd.DataFrame({"doc_id": "T1", "start": [p.start[1], p.start[3]],
                            "end": [p.end[1], p.end[3]],
                            "code": ["whole_child_sel", "shared_culture"],
                            "coder": "auto:model", "score": [0.81, 0.66]})
view = plcase.CodingView("study", coder="tester", suggestions=suggestions)
view"""


if not Path(CHROMIUM).exists():  # a clear failure, never a skip: CI installs it (.ci/run)
    pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium "
                "(apt-get update && apt-get install -y chromium), as .ci/run does",
                pytrace=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    study = tmp_path / "work" / "study"
    study.mkdir(parents=True)
    shutil.copy(config.SAMPLE_DIR / "codebook.yml", study / "codebook.yml")
    (study / "T1.txt").write_text(TRANSCRIPT, encoding="utf-8")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(NOTEBOOK_CELL)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, tmp_path / "work" / "code.ipynb")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "run"), IPYTHONDIR=str(tmp_path / "ipy"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "ws"))
    log = open(tmp_path / "jupyter.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0",
         f"--ServerApp.root_dir={tmp_path / 'work'}", "--LabApp.expose_app_in_browser=True",
         "--allow-root", "--LabApp.news_url=", "--LabApp.extension_manager=readonly",
         "--LabServerApp.check_for_updates_class="
         "jupyterlab.NeverCheckForUpdate"],
        cwd=tmp_path / "work", env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError((tmp_path / "jupyter.log").read_text())
                time.sleep(0.1)
        yield {"url": base, "token": token, "study": study, "tmp": tmp_path}
    finally:
        # The server's shutdown endpoint stops its kernels too; terminate is the fallback.
        try:
            request = urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(request, timeout=5)
            process.wait(timeout=15)
        except Exception:
            process.terminate()
            process.wait(timeout=15)
        log.close()


def _phrase_box(page, phrase):
    """Screen points just inside the first and last character of ``phrase`` in the widget."""
    return page.evaluate("""(phrase) => {
        for (const el of document.querySelectorAll('.plc-text')) {
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(phrase);
                if (at < 0) continue;
                const first = document.createRange();
                first.setStart(node, at); first.setEnd(node, at + 1);
                const last = document.createRange();
                last.setStart(node, at + phrase.length - 1); last.setEnd(node, at + phrase.length);
                const a = first.getBoundingClientRect(), b = last.getBoundingClientRect();
                return [a.left + 1, (a.top + a.bottom) / 2, b.right - 1, (b.top + b.bottom) / 2];
            }
        }
        return null;
    }""", phrase)


def _wait_saved(page, count):
    page.wait_for_function(
        "(n) => { const m = document.querySelector('.plc-message');"
        " return m && m.classList.contains('plc-saved') && window.__plcSaved >= n; }",
        arg=count, timeout=30_000)


def test_code_in_jupyterlab_with_mouse_keys_and_suggestions(server):
    study, tmp = server["study"], server["tmp"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        console = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        try:
            _code_in_the_browser(page, server)
        except Exception:
            page.screenshot(path=str(tmp / "failure.png"))
            print("browser console:", *console[-30:], sep="\n")
            raise
        finally:
            browser.close()
    _check_saved(study)


def _code_in_the_browser(page, server):
    tmp = server["tmp"]
    page.goto(f"{server['url']}/lab/tree/code.ipynb?token={server['token']}")
    page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-Notebook')",
                           timeout=60_000)
    # Run the notebook once its kernel is ready (JupyterLab's own command).
    page.evaluate("""async () => {
        const panel = window.jupyterapp.shell.currentWidget;
        await panel.context.ready;
        await panel.sessionContext.ready;
        await window.jupyterapp.commands.execute('notebook:run-all-cells');
    }""")
    page.wait_for_selector(".plc-coding .plc-text", timeout=60_000)
    # Count saves as the widget reports them (the message alone repeats its class).
    page.evaluate("""() => { window.__plcSaved = 0;
        new MutationObserver(() => {
            const m = document.querySelector('.plc-message');
            if (m && m.classList.contains('plc-saved') && m.textContent !== window.__plcLast) {
                window.__plcSaved += 1; window.__plcLast = m.textContent; }
        }).observe(document.body, {subtree: true, childList: true, characterData: true}); }""")

    phrase = "chose their own projects"
    x1, y1, x2, y2 = _phrase_box(page, phrase)
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move(x2, y2, steps=8)
    page.mouse.up()
    assert page.evaluate("() => window.getSelection().toString()") == phrase
    key = page.locator('.plc-code[data-code="student_driven"] kbd').inner_text()
    page.keyboard.press(key)
    _wait_saved(page, 1)
    assert "student_driven" in page.locator(".plc-message").inner_text()

    page.locator(".plc-suggested", has_text="Honestly").first.click()
    page.locator(".plc-popup .plc-accept").click()
    _wait_saved(page, 2)
    # The screenshot shows codes, a nested code and a suggestion still open (dashed).
    shot = tmp / "coding-view.png"
    page.locator(".jp-OutputArea-output").first.screenshot(path=str(shot))
    (ROOT / "docs").mkdir(exist_ok=True)
    shutil.copy(shot, ROOT / "docs" / "coding-view.png")
    page.locator(".plc-suggested", has_text="We trust").first.click()
    page.locator(".plc-popup .plc-reject").click()
    _wait_saved(page, 3)

    # A memo on the nested coding (digits typed into the memo must not code anything).
    page.locator(".plc-marked", has_text="chose their own projects").first.click()
    row = page.locator(".plc-popup .plc-row", has_text="student_driven")
    row.locator(".plc-memo").fill("picked in week 1")
    row.locator(".plc-memo").press("1")
    row.locator(".plc-save-memo").click()
    _wait_saved(page, 4)

    # A bad action: no selection, press a code -> a message, nothing saved.
    page.mouse.click(5, 5)
    page.locator(".plc-coding .plc-header").click()
    page.keyboard.press(key)
    page.wait_for_selector(".plc-message.plc-error", timeout=30_000)



def _check_saved(study):
    phrase = "chose their own projects"
    text = (study / "T1.txt").read_text(encoding="utf-8")
    reread = plcase.read_study(study)
    mine = reread.codings[reread.codings.coder == "tester"].sort_values("start")
    assert mine[["code", "text"]].values.tolist() == [
        ["whole_child_sel", reread.texts["T1"][mine.start.iloc[0]:mine.end.iloc[0]]],
        ["student_driven", phrase]]
    assert mine["text"].iloc[0].startswith("😀 Honestly great")
    with open(study / "codings.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert sorted((r["coder"], r["code"]) for r in rows) == [("tester", "student_driven"),
                                                             ("tester", "whole_child_sel")]
    at = reread.texts["T1"].index(phrase)
    assert {"doc_id": "T1", "start": str(at), "end": str(at + len(phrase)), "code": "student_driven",
            "coder": "tester", "memo": "picked in week 11"} in rows
    assert "😀" in text
    log = [json.loads(line) for line in (study / "codings-log.jsonl").read_text().splitlines()]
    assert [(e["action"], e["code"], e.get("suggested_by")) for e in log] == [
        ("added", "student_driven", None), ("accepted", "whole_child_sel", "auto:model"),
        ("rejected", "shared_culture", "auto:model"), ("memo", "student_driven", None)]
    assert all(e["coder"] == "tester" for e in log)
