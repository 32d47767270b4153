//! GLUE as the Hugging Face hub keeps it: the dataset `nyu-mll/glue`, one folder per task
//! (`rte`, `mrpc`, `cola`, `stsb`, `sst2`) with `train-00000-of-00001.parquet` and
//! `validation-00000-of-00001.parquet`. Read with the Apache Arrow project's `parquet` crate.
//!
//! The hub's integer labels are the class indices of the TSV path ([`GlueFormat::labels`]):
//! RTE's 0 is `entailment`, MRPC's 1 is a paraphrase, CoLA's 1 acceptable, SST-2's 1 positive.
//! STS-B's label is the similarity score.

use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

use crate::error::{DataError, Result};
use crate::glue::{Example, GlueFormat, Label};
use crate::tasks::Split;

/// The hub dataset that holds GLUE.
pub const GLUE_REPO: &str = "nyu-mll/glue";

impl GlueFormat {
    /// The task's configuration name in `nyu-mll/glue` (also its folder there).
    pub fn hub_config(self) -> &'static str {
        match self {
            GlueFormat::Rte => "rte",
            GlueFormat::Mrpc => "mrpc",
            GlueFormat::Cola => "cola",
            GlueFormat::Stsb => "stsb",
            GlueFormat::Sst2 => "sst2",
        }
    }

    /// The file of `split` inside `nyu-mll/glue` (the dev set is the hub's `validation`).
    pub fn hub_file(self, split: Split) -> String {
        let name = match split {
            Split::Train => "train",
            Split::Dev => "validation",
        };
        format!("{}/{name}-00000-of-00001.parquet", self.hub_config())
    }

    /// Reads one of the hub's parquet files of this task, in file order.
    pub fn read_parquet(self, path: &Path) -> Result<Vec<Example>> {
        let fail = |message: String| DataError::Parquet { path: path.to_path_buf(), message };
        let file = std::fs::File::open(path).map_err(|cause| DataError::Io { path: path.to_path_buf(), cause })?;
        let reader = SerializedFileReader::new(file).map_err(|e| fail(format!("not a readable parquet file ({e})")))?;
        let (a, b) = match self {
            GlueFormat::Cola | GlueFormat::Sst2 => ("sentence", None),
            _ => ("sentence1", Some("sentence2")),
        };
        let columns: Vec<String> =
            reader.metadata().file_metadata().schema_descr().columns().iter().map(|c| c.name().to_string()).collect();
        for want in [Some(a), b, Some("label")].into_iter().flatten() {
            if !columns.iter().any(|c| c == want) {
                return Err(fail(format!("expected a column `{want}`, found columns {columns:?}")));
            }
        }
        let n_classes = self.labels().len();
        let rows = reader.get_row_iter(None).map_err(|e| fail(format!("cannot read its rows ({e})")))?;
        let mut examples = Vec::new();
        for (i, row) in rows.enumerate() {
            let row = row.map_err(|e| fail(format!("row {i}: cannot be read ({e})")))?;
            let field = |name: &str| row.get_column_iter().find(|(n, _)| n.as_str() == name).map(|(_, f)| f);
            let text = |name: &str| match field(name) {
                Some(Field::Str(s)) => Ok(s.clone()),
                other => Err(fail(format!("row {i}: expected text in `{name}`, found {other:?}"))),
            };
            let label = match (field("label"), n_classes) {
                (Some(Field::Float(x)), 0) if x.is_finite() && (0.0..=5.0).contains(x) => Label::Score(*x),
                (Some(Field::Double(x)), 0) if x.is_finite() && (0.0..=5.0).contains(x) => Label::Score(*x as f32),
                (Some(f), n) if n > 0 => match integer(f) {
                    Some(c) if (0..n as i64).contains(&c) => Label::Class(c as usize),
                    _ => {
                        return Err(fail(format!(
                            "row {i}: expected a label in 0..{n} (-1 marks the unlabelled test split), found {f:?}"
                        )))
                    }
                },
                (other, _) => {
                    return Err(fail(format!("row {i}: expected a similarity score in 0..=5, found {other:?}")))
                }
            };
            examples.push(Example { text_a: text(a)?, text_b: b.map(text).transpose()?, label });
        }
        if examples.is_empty() {
            return Err(fail("expected at least one row, found none".into()));
        }
        Ok(examples)
    }
}

fn integer(f: &Field) -> Option<i64> {
    match *f {
        Field::Byte(x) => Some(x.into()),
        Field::Short(x) => Some(x.into()),
        Field::Int(x) => Some(x.into()),
        Field::Long(x) => Some(x),
        Field::UByte(x) => Some(x.into()),
        Field::UShort(x) => Some(x.into()),
        Field::UInt(x) => Some(x.into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_file_names_follow_nyu_mll_glue() {
        assert_eq!(GlueFormat::Rte.hub_file(Split::Train), "rte/train-00000-of-00001.parquet");
        assert_eq!(GlueFormat::Stsb.hub_file(Split::Dev), "stsb/validation-00000-of-00001.parquet");
        assert_eq!(GlueFormat::Sst2.hub_config(), "sst2");
    }

    #[test]
    fn a_file_that_is_not_parquet_names_itself() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("train-00000-of-00001.parquet");
        std::fs::write(&p, b"not parquet at all").unwrap();
        let err = GlueFormat::Rte.read_parquet(&p).unwrap_err().to_string();
        assert!(err.contains("train-00000-of-00001.parquet") && err.contains("not a readable parquet"), "{err}");
    }
}
