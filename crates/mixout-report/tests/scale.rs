//! Reports of studies from 2 to 200 settings: figure files, sizes and panel counts.

mod common;

use mixout_report::plot::{Figure, Kind};
use mixout_report::write_report;

/// (panels per file, size) of a task's figures of one kind.
fn of_kind(figures: &[Figure], kind: Kind) -> Vec<(usize, (u32, u32))> {
    figures.iter().filter(|f| f.kind == kind).map(|f| (f.panels, f.size)).collect()
}

fn png_size(path: &std::path::Path) -> (u32, u32) {
    let bytes = std::fs::read(path).expect("read png");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Writes a study and its report; checks every figure file against its reported size.
fn report(n: usize, group_size: usize) -> (tempfile::TempDir, mixout_report::Report) {
    let results = tempfile::tempdir().expect("tempdir");
    common::synthetic_study(results.path(), "scale", n, 5, group_size);
    let out = tempfile::tempdir().expect("tempdir");
    let report = write_report(results.path(), out.path()).expect("report");
    for f in &report.figures {
        assert_eq!(png_size(&f.path), f.size, "{}", f.path.display());
        assert!(f.size.0 <= 2000 && f.size.1 <= 2800, "{} is {:?}: too large to read", f.path.display(), f.size);
    }
    let csv = std::fs::read_to_string(out.path().join("summary.csv")).expect("csv");
    assert_eq!(csv.lines().count(), 1 + n, "one CSV row per setting");
    (out, report)
}

#[test]
fn two_settings_one_panel() {
    let (_out, r) = report(2, 0);
    assert_eq!(of_kind(&r.figures, Kind::Stability), [(1, (1280, 720))]);
    assert_eq!(of_kind(&r.figures, Kind::Evp), [(1, (1280, 720))]);
    assert_eq!(of_kind(&r.figures, Kind::Curves), [(1, (1280, 720))]);
}

#[test]
fn twelve_settings_in_three_groups_fill_one_row() {
    let (_out, r) = report(12, 4);
    // Three panels of four columns: one row of 12 columns of 112 px.
    assert_eq!(of_kind(&r.figures, Kind::Stability), [(3, (104 + 12 * 112 + 2 * 26 + 84, 720))]);
    assert_eq!(of_kind(&r.figures, Kind::Evp), [(3, (104 + 3 * 360 + 2 * 26 + 84, 720))]);
    // p sweeps 0..0.7 in each group: one family per learning rate.
    let psweep = r.figures.iter().find(|f| f.kind == Kind::Psweep).expect("psweep");
    assert_eq!(psweep.lines, 3);
}

#[test]
fn fifty_settings_wrap_into_rows() {
    let (_out, r) = report(50, 5);
    // Ten groups of five: two panels per row (a third would pass 12 columns), five rows.
    let s = of_kind(&r.figures, Kind::Stability);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].0, 10);
    // Ten line-chart panels, four per row: three rows in one file.
    assert_eq!(of_kind(&r.figures, Kind::Evp).iter().map(|f| f.0).collect::<Vec<_>>(), [10]);
    assert_eq!(of_kind(&r.figures, Kind::Curves).iter().map(|f| f.0).collect::<Vec<_>>(), [10]);
}

#[test]
fn two_hundred_settings_take_numbered_files() {
    let (out, r) = report(200, 4);
    // 50 groups of four, three panels per row: 17 rows, at most 5 rows per file.
    let s = of_kind(&r.figures, Kind::Stability);
    assert_eq!(s.iter().map(|f| f.0).collect::<Vec<_>>(), [15, 15, 15, 5]);
    // 50 line-chart panels, four per row: 13 rows.
    assert_eq!(of_kind(&r.figures, Kind::Evp).iter().map(|f| f.0).collect::<Vec<_>>(), [20, 20, 10]);
    for k in 1..=4 {
        assert!(out.path().join(format!("stability_RTE_{k}.png")).is_file());
    }
    assert!(!out.path().join("stability_RTE.png").exists());
    let total: usize = s.iter().map(|f| f.0).sum();
    assert_eq!(total, 50, "every group has its panel");
}
