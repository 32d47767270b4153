//! GLUE from the hub's parquet files equals GLUE from the shipped TSVs: every example, its
//! order, its texts and its label, for the five tasks and both splits. The parquet files are
//! written from the shipped TSVs by `scripts/glue-to-parquet.py` (pyarrow, in the torch venv)
//! with the columns and label encoding of the Hugging Face dataset `nyu-mll/glue`.

mod common;

use mixout_data::{GlueFormat, Label, Split, TaskSpec};
use std::path::PathBuf;

#[test]
fn parquet_from_the_hub_reads_as_the_shipped_tsvs() {
    let tmp = tempfile::tempdir().unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/glue-to-parquet.py");
    let out = std::process::Command::new(common::venv::venv_python())
        .arg(script)
        .arg(common::glue_dir())
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for format in GlueFormat::ALL {
        let tsv = TaskSpec::glue(format.name(), &common::glue_dir()).unwrap();
        let hub = TaskSpec::glue_hub(
            format,
            tmp.path().join(format.hub_file(Split::Train)),
            tmp.path().join(format.hub_file(Split::Dev)),
        );
        assert_eq!((&hub.name, hub.kind, &hub.labels, hub.metric), (&tsv.name, tsv.kind, &tsv.labels, tsv.metric));
        for split in [Split::Train, Split::Dev] {
            let (a, b) = (tsv.load(split).unwrap(), hub.load(split).unwrap());
            assert_eq!(a.len(), b.len(), "{} {split}", format.name());
            if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
                panic!("{} {split} example {i}: TSV {:?} vs parquet {:?}", format.name(), a[i], b[i]);
            }
        }
    }
    // RTE's integer 0 is `entailment`, the TSV's first class: same class, same index.
    let rte = GlueFormat::Rte.read_parquet(&tmp.path().join("rte/validation-00000-of-00001.parquet")).unwrap();
    let tsv = GlueFormat::Rte.read(&common::glue_dir().join("RTE/dev.tsv")).unwrap();
    let entail = tsv.iter().position(|e| e.label == Label::Class(0)).unwrap();
    assert_eq!(rte[entail].label, Label::Class(0));
    assert_eq!(GlueFormat::Rte.labels()[0], "entailment");
}

#[test]
fn a_parquet_without_labels_names_the_file_and_the_row() {
    // The hub's test split marks its missing labels with -1.
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("test-00000-of-00001.parquet");
    let code = format!(
        "import pyarrow as pa, pyarrow.parquet as pq; pq.write_table(pa.table({{'sentence1': ['a'], 'sentence2': ['b'], \
         'label': pa.array([-1], pa.int64()), 'idx': pa.array([0], pa.int32())}}), '{}')",
        p.display()
    );
    let out = std::process::Command::new(common::venv::venv_python()).args(["-c", &code]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = GlueFormat::Rte.read_parquet(&p).unwrap_err().to_string();
    assert!(err.contains("test-00000-of-00001.parquet") && err.contains("row 0") && err.contains("-1"), "{err}");
    let err = GlueFormat::Sst2.read_parquet(&p).unwrap_err().to_string();
    assert!(err.contains("expected a column `sentence`"), "{err}");
}
