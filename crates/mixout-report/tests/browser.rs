//! A real browser reads `index.html` of a generated report: headless Chromium loads the
//! page from `file://`, every image must load (naturalWidth > 0), each task's table must
//! have one row per setting, and a screenshot is kept as a test artifact
//! (`$CARGO_TARGET_TMPDIR/browser/index.png`). Needs the `chromium` binary (Debian
//! package `chromium`; or set `CHROMIUM` to a Chrome/Chromium binary): the test fails,
//! saying so, when it is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser binary: `$CHROMIUM`, else the first of the usual names on PATH.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
        for dir in std::env::split_paths(&path) {
            if dir.join(name).is_file() {
                return dir.join(name);
            }
        }
    }
    panic!(
        "no headless browser found: this test needs Chromium (Debian: `apt-get install -y chromium`), \
         or CHROMIUM=/path/to/chrome"
    );
}

fn headless(args: &[&str], url: &str) -> String {
    let out = Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"])
        .args(["--allow-file-access-from-files", "--virtual-time-budget=15000"])
        .args(args)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Every `src="…"` and `href="…"` of the page.
fn references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').expect("closed attribute");
            out.push(rest[..end].to_string());
        }
    }
    out
}

/// Checks run inside the page once everything loaded; results written into the DOM.
const CHECK_SCRIPT: &str = "<pre id=\"check\"></pre><script>window.addEventListener('load',function(){\
var imgs=Array.prototype.slice.call(document.images);\
var broken=imgs.filter(function(i){return !(i.complete&&i.naturalWidth>0);}).map(function(i){return i.getAttribute('src');});\
var rows=Array.prototype.slice.call(document.querySelectorAll('table.summary')).map(function(t){return t.dataset.task+'='+t.tBodies[0].rows.length;});\
document.getElementById('check').textContent='images='+imgs.length+';broken='+broken.join(',')+';rows='+rows.join(',')+';';});</script>";

fn field<'a>(check: &'a str, key: &str) -> &'a str {
    let start = check.find(&format!("{key}=")).unwrap_or_else(|| panic!("no {key} in {check}")) + key.len() + 1;
    let end = check[start..].find(';').expect("terminated field");
    &check[start..start + end]
}

#[test]
fn index_html_loads_in_a_real_browser() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let _ = std::fs::remove_dir_all(&dir);
    let results = dir.join("results");
    common::demo_sweep(&results);
    let report = mixout_report::write_report(&results, &dir.join("report")).expect("report");
    let index = report.index().expect("index.html written").to_path_buf();
    let html = std::fs::read_to_string(&index).expect("read index.html");

    // No reference may point at a missing file or off the machine.
    let folder = index.parent().expect("report folder");
    for r in references(&html) {
        assert!(!r.contains("://") && !r.starts_with('/'), "{r}: index.html must link relative to its folder");
        assert!(folder.join(&r).is_file(), "index.html references {r}, which does not exist");
    }

    let check_page = folder.join("check.html");
    std::fs::write(&check_page, html.replace("</body>", &format!("{CHECK_SCRIPT}</body>"))).expect("write");
    let dom = headless(&["--dump-dom"], &url(&check_page));
    let start = dom.find("<pre id=\"check\">").expect("check block in the DOM") + "<pre id=\"check\">".len();
    let check = &dom[start..start + dom[start..].find("</pre>").expect("closed check block")];
    assert!(!check.is_empty(), "the page's checks did not run:\n{dom}");
    let images: usize = field(check, "images").parse().expect("count");
    assert_eq!(images, report.figures.len(), "one image per figure: {check}");
    assert_eq!(field(check, "broken"), "", "images that did not load: {check}");
    assert_eq!(field(check, "rows"), "RTE=11", "one table row per setting: {check}");

    let shot = dir.join("index.png");
    headless(&["--window-size=1400,2400", &format!("--screenshot={}", shot.display())], &url(&index));
    let len = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(len > 50_000, "screenshot {} missing or blank ({len} bytes)", shot.display());
    println!("screenshot: {}", shot.display());
}

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}
