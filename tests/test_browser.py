"""The built site in a real browser (headless Chromium driven by Playwright).

Every page of the book is opened from a server on 127.0.0.1: math is typeset (MathJax output
present, no raw TeX delimiters left), every image has loaded, pages with exercises show them and
their solution toggles, no page requests anything from outside the machine, and internal links
resolve. Screenshots of a few pages are kept in ``_build/screenshots`` as test artifacts.

Every built page is also measured as a reader sees it, at 1280 and at 1024 px (issue 20): no
display equation wider than its box, no code block or printed output cut off (a horizontal
scroll; a line holding a URL is the one allowance), no raw TeX in a figure caption, no numpy
repr such as ``np.float64(0.0011)`` in an output. The pages are globbed, so chapters added
later are measured too.

The site is built by ``tools/build_book.py`` if ``_build/html`` is missing or older than the
sources (the build then serves CI's own build step from its cache). Skips, with the reason,
where no Chromium is installed.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socketserver
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _pages() -> list[str]:
    import re

    toc = (ROOT / "_toc.yml").read_text()
    root = re.search(r"root:\s*(\S+)", toc).group(1)
    return [root] + re.findall(r"file:\s*(\S+)", toc)


def _stale() -> bool:
    if not (HTML / "index.html").exists():
        return True
    built = (HTML / "index.html").stat().st_mtime
    sources = [p for pattern in ("*.md", "chapters/*.md", "appendices/*.md", "rmtbook/**/*.py", "_config.yml", "_toc.yml", "references.bib")
               for p in ROOT.glob(pattern)]
    return any(p.stat().st_mtime > built for p in sources)


@pytest.fixture(scope="module")
def built_html() -> Path:
    if _stale():
        code = subprocess.call([sys.executable, str(ROOT / "tools" / "build_book.py")], cwd=ROOT)
        assert code == 0, "the book build failed"
    return HTML


@pytest.fixture(scope="module")
def site(built_html):
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (Debian package 'chromium'); .ci/run installs it")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - pinned in requirements.txt
        pytest.skip("playwright is not installed")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(HTML))
    handler.log_message = lambda *args, **kwargs: None  # type: ignore[attr-defined]

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield instance
        instance.close()


def test_built_html_loads_nothing_from_outside(built_html):
    """Static check of every built page: scripts, stylesheets, fonts and images are local."""
    from bs4 import BeautifulSoup

    pages = sorted(built_html.rglob("*.html"))
    assert len(pages) >= len(_pages())
    for page in pages:
        soup = BeautifulSoup(page.read_text(errors="replace"), "html.parser")
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                          ("source", "src"), ("video", "src"), ("audio", "src")):
            for element in soup.find_all(tag):
                url = element.get(attr)
                if not url:
                    continue
                if tag == "link" and not set(element.get("rel", [])) & {"stylesheet", "preload", "icon", "modulepreload", "prefetch"}:
                    continue  # navigation links (prev/next, canonical) load nothing
                assert not urlparse(url).scheme.startswith("http") and not url.startswith("//"), (page, tag, url)
        for style in soup.find_all("style"):
            assert "url(http" not in style.text.replace(" ", ""), page
    for name in _pages():
        page = built_html / f"{name}.html"
        soup = BeautifulSoup(page.read_text(errors="replace"), "html.parser")
        colab = [a.get("href") for a in soup.find_all("a") if "colab.research.google.com" in (a.get("href") or "")]
        if (ROOT / f"{name}.md").read_text()[:600].count("jupytext"):
            assert colab, f"{name}: no Colab button"
            for href in colab:
                target = href.split("/blob/", 1)[1].split("/", 1)[1]
                assert target.endswith(".ipynb") and (ROOT / target).exists(), (name, href)
    for css in built_html.rglob("*.css"):
        text = css.read_text(errors="replace").replace(" ", "").replace("'", "").replace('"', "")
        assert "url(http" not in text and "@importhttp" not in text, css


def _visit(browser, url: str, screenshot: Path | None = None) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    failures: list[str] = []
    page.on("requestfailed", lambda request: failures.append(request.url))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => !window.MathJax || !window.MathJax.startup || window.MathJax.startup.promise", timeout=20000)
    page.evaluate("() => window.MathJax && window.MathJax.startup ? window.MathJax.startup.promise : null")
    page.wait_for_timeout(300)
    info = page.evaluate(
        """() => {
        const clone = document.querySelector('main') ? document.querySelector('main').cloneNode(true) : document.body.cloneNode(true);
        clone.querySelectorAll('pre, code, script, style, mjx-container, .highlight').forEach(e => e.remove());
        return {
          mathSource: document.querySelectorAll('.math').length,
          mathTypeset: document.querySelectorAll('mjx-container').length,
          text: clone.innerText,
          images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
          exercises: document.querySelectorAll('.exercise').length,
          solutions: document.querySelectorAll('.solution').length,
          toggles: document.querySelectorAll('.solution details, details.solution, .solution .toggle-details, .solution.dropdown, .dropdown.solution').length,
          links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
        };
    }"""
    )
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=False)
    page.close()
    info["requests"] = requests
    info["failures"] = failures
    return info


@pytest.mark.parametrize("name", _pages())
def test_page_renders_offline(browser, site, name):
    url = urljoin(site, f"{name}.html")
    shot = SHOTS / f"{name.replace('/', '_')}.png" if name in ("intro", "chapters/01_concentration", "chapters/05_ridge", "chapters/09_deep_conjugate_kernels") else None
    info = _visit(browser, url, shot)
    host = urlparse(site).netloc
    outside = [u for u in info["requests"] if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != host]
    assert not outside, f"{name} requests from outside the machine: {outside[:5]}"
    assert not info["failures"], f"{name}: failed requests {info['failures'][:5]}"
    if info["mathSource"]:
        assert info["mathTypeset"] > 0, f"{name}: math was not typeset"
    for delimiter in ("\\(", "\\)", "\\[", "\\]", "$$"):
        assert delimiter not in info["text"], f"{name}: raw TeX delimiter {delimiter!r} left on the page"
    broken = [img["src"] for img in info["images"] if not img["ok"]]
    assert not broken, f"{name}: images not loaded: {broken[:5]}"
    source = (ROOT / f"{name}.md").read_text()
    n_exercises = source.count("{exercise}")
    if n_exercises:
        assert info["exercises"] >= n_exercises, f"{name}: {info['exercises']} exercises shown, {n_exercises} written"
        assert info["solutions"] >= n_exercises and info["toggles"] >= 1, f"{name}: solution toggles missing"
    page_path = HTML / f"{name}.html"
    for href in info["links"]:
        parsed = urlparse(href)
        if parsed.scheme or href.startswith(("#", "mailto:", "javascript:")):
            continue
        target = (page_path.parent / parsed.path).resolve()
        assert target.exists(), f"{name}: internal link {href} does not resolve"


def test_screenshots_kept(browser, site):
    shots = sorted(SHOTS.glob("*.png"))
    assert shots, "no screenshots were written"
    for shot in shots:
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- Layout: what a reader sees at laptop widths (issue 20) -------------------------------------

#: Viewport widths at which every page is measured: a laptop, and a small laptop or a tablet in
#: landscape (where the theme hides the page table of contents).
WIDTHS = (1280, 1024)
#: Cut-off code blocks allowed on one page when their longest line holds a URL (a URL cannot be
#: broken); any other cut-off block fails.
URL_ALLOWANCE = 1
#: Width of the content column (px) that _static/rmtbook.css gives from 1024 px up: room for
#: the 84-character code lines, and about 95 characters of text a line at most.
COLUMN = (800, 880)
#: A numpy repr in a printed output (print_table in rmtbook.display prints numbers instead).
NUMPY_REPR = r"np\.(float|int|uint|complex|bool|str|bytes|datetime)[0-9_]*\(|array\(\[|dtype="
#: TeX left as plain text in a caption (math belongs between dollars, typeset like the text).
RAW_TEX = r"\\[A-Za-z]+|\$|[\^_]\{|[A-Za-z0-9)\]]\^[-+A-Za-z0-9(]|\b[A-Za-z]_[A-Za-z0-9]"

_MEASURE = """([numpyRepr, rawTex]) => {
  const main = document.querySelector('main') || document.body;
  const article = document.querySelector('article.bd-article');
  const out = {equations: [], code: [], captions: [], reprs: [],
               column: article ? Math.round(article.getBoundingClientRect().width) : 0};
  main.querySelectorAll('mjx-container[display="true"]').forEach(c => {
    const box = c.parentElement.getBoundingClientRect();
    const math = c.querySelector('mjx-math');
    const width = math ? math.getBoundingClientRect().width : c.scrollWidth;
    const room = Math.min(c.clientWidth || box.width, box.width);
    if (width > room + 1 || c.scrollWidth > c.clientWidth + 1) {
      let tex = '';
      try {
        const items = MathJax.startup.document.getMathItemsWithin(c.parentElement);
        tex = items.length ? items[0].math : '';
      } catch (e) {}
      out.equations.push(`${Math.round(width - room)} px too wide: ${tex.trim().slice(0, 90)}`);
    }
  });
  main.querySelectorAll('div.highlight pre, div.cell_output pre, .output pre').forEach(p => {
    if (p.scrollWidth > p.clientWidth + 1) {
      const lines = p.innerText.split('\\n');
      const longest = lines.reduce((a, b) => (b.length > a.length ? b : a), '');
      out.code.push({over: p.scrollWidth - p.clientWidth, line: longest});
    }
  });
  main.querySelectorAll('figcaption').forEach(f => {
    const clone = f.cloneNode(true);
    clone.querySelectorAll('mjx-container, script, code, pre, .headerlink').forEach(e => e.remove());
    const text = clone.innerText;
    if (new RegExp(rawTex).test(text)) out.captions.push(text.trim().slice(0, 160));
  });
  main.querySelectorAll('div.cell_output').forEach(o => {
    const text = o.innerText;
    const m = text.match(new RegExp(numpyRepr));
    if (m) out.reprs.push(text.slice(Math.max(0, m.index - 40), m.index + 40));
  });
  return out;
}"""


def _built_pages() -> list[str]:
    """The table of contents' pages and every chapter or appendix source (glob): new chapters
    are measured without editing this file."""
    names = set(_pages())
    for pattern in ("chapters/*.md", "appendices/*.md"):
        names |= {str(p.relative_to(ROOT).with_suffix("")) for p in ROOT.glob(pattern)}
    return sorted(names)


def _measure(browser, url: str, width: int) -> dict:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function("() => !window.MathJax || !window.MathJax.startup || window.MathJax.startup.promise", timeout=20000)
        page.evaluate("() => window.MathJax && window.MathJax.startup ? window.MathJax.startup.promise : null")
        page.wait_for_timeout(200)
        return page.evaluate(_MEASURE, [NUMPY_REPR, RAW_TEX])
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", _built_pages())
def test_page_fits_the_reading_column(browser, site, name, width):
    """Equations, code, captions and outputs of one page fit and read well at ``width`` px."""
    if not (HTML / f"{name}.html").exists():
        assert name not in _pages(), f"{name} is in _toc.yml but was not built"
        pytest.skip(f"{name} is not in _toc.yml, so not built")
    info = _measure(browser, urljoin(site, f"{name}.html"), width)
    problems = [f"display equation {e}" for e in info["equations"]]
    if not COLUMN[0] <= info["column"] <= COLUMN[1]:
        problems.append(f"content column {info['column']} px wide, not in {COLUMN} px")
    urls = [c for c in info["code"] if "://" in c["line"]]
    cut = [c for c in info["code"] if "://" not in c["line"]]
    if len(urls) > URL_ALLOWANCE:
        cut += urls
    problems += [f"code cut off by {c['over']} px: {c['line'].strip()[:100]}" for c in cut]
    problems += [f"raw TeX in a caption: {c}" for c in info["captions"]]
    problems += [f"numpy repr in an output: ...{r}..." for r in info["reprs"]]
    assert not problems, f"{name} at {width} px:\n  " + "\n  ".join(problems)
