//! Examples, labels and the readers of delimited task files (the original GLUE TSVs and
//! user-defined tables).
//!
//! The GLUE files are read strictly: every row becomes an example, and a row that does
//! not fit (wrong number of fields, unknown label, unparsable score) stops the read with
//! an error naming the file and line. Silently skipping rows would change dev-set sizes
//! and therefore the scores compared with the paper.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{shorten, DataError, Result};

/// The gold label of one example.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Label {
    /// Index into the task's label list (`TaskSpec::labels`).
    Class(usize),
    /// Real-valued target of a regression task (STS-B: similarity in 0..=5).
    Score(f32),
}

/// One sentence or sentence pair with its gold label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    /// First (or only) text.
    pub text_a: String,
    /// Second text of a pair task; `None` for single-sentence tasks.
    pub text_b: Option<String>,
    /// Gold label.
    pub label: Label,
}

/// The five GLUE file layouts this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum GlueFormat {
    /// Recognising Textual Entailment: `index sentence1 sentence2 label`.
    Rte,
    /// Microsoft Research Paraphrase Corpus: `Quality #1 ID #2 ID #1 String #2 String`, BOM first.
    Mrpc,
    /// Corpus of Linguistic Acceptability: no header; `source label mark sentence`.
    Cola,
    /// Semantic Textual Similarity Benchmark: 10 columns, label `score` in 0..=5.
    Stsb,
    /// Stanford Sentiment Treebank, binary: `sentence label`.
    Sst2,
}

impl GlueFormat {
    /// Every supported GLUE task, in the order the paper lists them (SST-2 last).
    pub const ALL: [GlueFormat; 5] =
        [GlueFormat::Rte, GlueFormat::Mrpc, GlueFormat::Cola, GlueFormat::Stsb, GlueFormat::Sst2];

    /// Canonical task name, which is also the name of the task's folder in the GLUE data.
    pub fn name(self) -> &'static str {
        match self {
            GlueFormat::Rte => "RTE",
            GlueFormat::Mrpc => "MRPC",
            GlueFormat::Cola => "CoLA",
            GlueFormat::Stsb => "STS-B",
            GlueFormat::Sst2 => "SST-2",
        }
    }

    /// Finds a format by task name, ignoring case, `-` and `_` (so `sts-b`, `STSB`, `sst_2` work).
    pub fn from_name(name: &str) -> Option<GlueFormat> {
        let squash =
            |s: &str| s.chars().filter(|c| *c != '-' && *c != '_').flat_map(char::to_lowercase).collect::<String>();
        let wanted = squash(name);
        Self::ALL.into_iter().find(|f| squash(f.name()) == wanted)
    }

    /// [`GlueFormat::from_name`], or an error listing the known tasks.
    pub fn find(name: &str) -> Result<GlueFormat> {
        Self::from_name(name).ok_or_else(|| DataError::UnknownTask {
            name: name.to_owned(),
            known: Self::ALL.map(GlueFormat::name).join(", "),
        })
    }

    /// Label strings as they appear in the files; a class label is an index into this list.
    /// Empty for the regression task STS-B.
    pub fn labels(self) -> &'static [&'static str] {
        match self {
            GlueFormat::Rte => &["entailment", "not_entailment"],
            GlueFormat::Mrpc | GlueFormat::Cola | GlueFormat::Sst2 => &["0", "1"],
            GlueFormat::Stsb => &[],
        }
    }

    /// Reads one GLUE TSV file of this format.
    pub fn read(self, path: &Path) -> Result<Vec<Example>> {
        read_table(path, &self.layout())
    }

    fn layout(self) -> TableLayout {
        let name = |s: &str| Column::Name(s.to_owned());
        let classes = LabelKind::Classes(self.labels().iter().map(|s| s.to_string()).collect());
        let (header, n_fields, text_a, text_b, label, label_kind) = match self {
            GlueFormat::Rte => (true, None, name("sentence1"), Some(name("sentence2")), name("label"), classes),
            GlueFormat::Mrpc => (true, None, name("#1 String"), Some(name("#2 String")), name("Quality"), classes),
            GlueFormat::Cola => (false, Some(4), Column::Index(3), None, Column::Index(1), classes),
            GlueFormat::Stsb => (
                true,
                None,
                name("sentence1"),
                Some(name("sentence2")),
                name("score"),
                LabelKind::Score { range: Some((0.0, 5.0)) },
            ),
            GlueFormat::Sst2 => (true, None, name("sentence"), None, name("label"), classes),
        };
        TableLayout { delimiter: '\t', header, n_fields, text_a, text_b, label, label_kind }
    }
}

/// Where a field lives in a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Column {
    /// Looked up in the header line.
    Name(String),
    /// 0-based position, for files without a header.
    Index(usize),
}

/// How the label field is turned into a [`Label`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LabelKind {
    /// Must equal one of these strings (after trimming surrounding whitespace).
    Classes(Vec<String>),
    /// A finite float, optionally within an inclusive range.
    Score { range: Option<(f32, f32)> },
}

/// Everything the table reader needs to know about a file's shape.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TableLayout {
    pub delimiter: char,
    pub header: bool,
    /// Exact number of fields per row for header-less files; with a header the header
    /// line fixes it. `None` (header-less only) only requires the referenced columns.
    pub n_fields: Option<usize>,
    pub text_a: Column,
    pub text_b: Option<Column>,
    pub label: Column,
    pub label_kind: LabelKind,
}

/// Field positions after resolving names against the header.
struct Resolved {
    text_a: usize,
    text_b: Option<usize>,
    label: usize,
    /// `Some(n)`: rows need exactly `n` fields; `None`: at least `min_fields`.
    exact_fields: Option<usize>,
    min_fields: usize,
}

/// Reads every row of a delimited text file into examples.
pub(crate) fn read_table(path: &Path, layout: &TableLayout) -> Result<Vec<Example>> {
    let bytes = fs::read(path).map_err(|source| DataError::Io { path: path.to_path_buf(), cause: source })?;
    let text = decode_utf8(path, bytes)?;
    // MRPC starts with a byte-order mark; left in place it would become part of the
    // first column's name and the `Quality` column would not be found.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    // A single terminating newline ends the last row; anything else is a row.
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut lines = body.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).enumerate().map(|(i, l)| (i + 1, l));
    let malformed = |line: usize, expected: String, found: String| DataError::Malformed {
        path: path.to_path_buf(),
        line,
        expected,
        found,
    };
    if body.is_empty() {
        let what = if layout.header { "a header line" } else { "at least one data row" };
        return Err(malformed(1, what.to_owned(), "an empty file".to_owned()));
    }

    let resolved = if layout.header {
        // `lines` is non-empty because `body` is.
        let (_, header_line) = lines.next().unwrap_or((1, ""));
        let header: Vec<&str> = header_line.split(layout.delimiter).collect();
        resolve_with_header(&header, layout)
            .map_err(|(column, expected)| malformed(1, expected, format!("columns {header:?} (missing `{column}`)")))?
    } else {
        resolve_without_header(layout)
    };

    let delimiter = describe_delimiter(layout.delimiter);
    let mut examples = Vec::new();
    for (line_no, line) in lines {
        let fields: Vec<&str> = line.split(layout.delimiter).collect();
        let bad_count = match resolved.exact_fields {
            Some(n) => (fields.len() != n).then(|| format!("{n} {delimiter}-separated fields")),
            None => (fields.len() < resolved.min_fields)
                .then(|| format!("at least {} {delimiter}-separated fields", resolved.min_fields)),
        };
        if let Some(expected) = bad_count {
            return Err(malformed(line_no, expected, format!("{} field(s): {}", fields.len(), shorten(line))));
        }
        let label = parse_label(fields[resolved.label], &layout.label_kind)
            .map_err(|expected| malformed(line_no, expected, shorten(fields[resolved.label])))?;
        examples.push(Example {
            text_a: fields[resolved.text_a].to_owned(),
            text_b: resolved.text_b.map(|i| fields[i].to_owned()),
            label,
        });
    }
    if examples.is_empty() {
        let line = if layout.header { 2 } else { 1 };
        return Err(malformed(line, "at least one data row".to_owned(), "end of file".to_owned()));
    }
    Ok(examples)
}

fn decode_utf8(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() + 1;
        DataError::Malformed {
            path: path.to_path_buf(),
            line,
            expected: "UTF-8 text".to_owned(),
            found: format!("the invalid byte 0x{:02x}", bytes[valid]),
        }
    })
}

/// On failure returns the missing column's name and a description of the expectation.
fn resolve_with_header(header: &[&str], layout: &TableLayout) -> std::result::Result<Resolved, (String, String)> {
    let find = |column: &Column| -> std::result::Result<usize, (String, String)> {
        match column {
            Column::Name(name) => header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| (name.clone(), format!("a header with a column named `{name}`"))),
            Column::Index(i) if *i < header.len() => Ok(*i),
            Column::Index(i) => Err((i.to_string(), format!("a header with at least {} columns", i + 1))),
        }
    };
    let text_a = find(&layout.text_a)?;
    let text_b = layout.text_b.as_ref().map(find).transpose()?;
    let label = find(&layout.label)?;
    Ok(Resolved { text_a, text_b, label, exact_fields: Some(header.len()), min_fields: header.len() })
}

fn resolve_without_header(layout: &TableLayout) -> Resolved {
    // Names cannot occur here: `TaskSpec::custom` rejects them for header-less files and
    // the GLUE layouts use indices; treat one defensively as column 0.
    let index = |column: &Column| match column {
        Column::Index(i) => *i,
        Column::Name(_) => 0,
    };
    let text_a = index(&layout.text_a);
    let text_b = layout.text_b.as_ref().map(index);
    let label = index(&layout.label);
    let min_fields = 1 + text_a.max(label).max(text_b.unwrap_or(0));
    Resolved { text_a, text_b, label, exact_fields: layout.n_fields, min_fields }
}

/// On failure returns what was expected.
fn parse_label(field: &str, kind: &LabelKind) -> std::result::Result<Label, String> {
    let value = field.trim();
    match kind {
        LabelKind::Classes(labels) => {
            labels.iter().position(|l| l == value).map(Label::Class).ok_or_else(|| format!("a label in {labels:?}"))
        }
        LabelKind::Score { range } => {
            let expected = || match range {
                Some((lo, hi)) => format!("a score between {lo} and {hi}"),
                None => "a finite number as score".to_owned(),
            };
            let score: f32 = value.parse().map_err(|_| expected())?;
            let in_range = range.is_none_or(|(lo, hi)| (lo..=hi).contains(&score));
            if score.is_finite() && in_range {
                Ok(Label::Score(score))
            } else {
                Err(expected())
            }
        }
    }
}

fn describe_delimiter(delimiter: char) -> String {
    match delimiter {
        '\t' => "tab".to_owned(),
        c => format!("{c:?}"),
    }
}

/// Path of the file holding `split` of a GLUE task inside `task_dir`.
pub(crate) fn glue_file(task_dir: &Path, split_file: &str) -> PathBuf {
    task_dir.join(format!("{split_file}.tsv"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn temp_file(content: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(content).expect("write temp file");
        f
    }

    fn read_err(format: GlueFormat, content: &[u8]) -> (usize, String) {
        let f = temp_file(content);
        match format.read(f.path()) {
            Err(DataError::Malformed { line, expected, path, .. }) => {
                assert_eq!(path, f.path());
                (line, expected)
            }
            other => panic!("expected a Malformed error, got {other:?}"),
        }
    }

    #[test]
    fn task_names_match_loosely() {
        assert_eq!(GlueFormat::from_name("sts-b"), Some(GlueFormat::Stsb));
        assert_eq!(GlueFormat::from_name("STSB"), Some(GlueFormat::Stsb));
        assert_eq!(GlueFormat::from_name("sst_2"), Some(GlueFormat::Sst2));
        assert_eq!(GlueFormat::from_name("cola"), Some(GlueFormat::Cola));
        assert_eq!(GlueFormat::from_name("qnli"), None);
    }

    #[test]
    fn reads_rte_with_bare_quotes_and_bom() {
        let f = temp_file(
            "\u{feff}index\tsentence1\tsentence2\tlabel\n0\the said \"hi\tok\tentailment\n1\ta\tb\tnot_entailment\n"
                .as_bytes(),
        );
        let ex = GlueFormat::Rte.read(f.path()).expect("valid file");
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[0].text_a, "he said \"hi");
        assert_eq!(ex[0].text_b.as_deref(), Some("ok"));
        assert_eq!(ex[0].label, Label::Class(0));
        assert_eq!(ex[1].label, Label::Class(1));
    }

    #[test]
    fn reads_cola_without_header_and_without_final_newline() {
        let f = temp_file(b"gj04\t1\t\tGood one.\ngj04\t0\t*\tBad one.");
        let ex = GlueFormat::Cola.read(f.path()).expect("valid file");
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[1].text_a, "Bad one.");
        assert_eq!(ex[1].text_b, None);
        assert_eq!(ex[1].label, Label::Class(0));
    }

    #[test]
    fn reads_stsb_score_by_name() {
        let head = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n";
        let row = "0\tg\tf\t2012\t1\tnone\tnone\tA.\tB.\t3.800\n";
        let f = temp_file(format!("{head}{row}").as_bytes());
        let ex = GlueFormat::Stsb.read(f.path()).expect("valid file");
        assert_eq!(ex[0].label, Label::Score(3.8));
    }

    #[test]
    fn too_few_fields_is_an_error_with_line() {
        let (line, expected) =
            read_err(GlueFormat::Rte, b"index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n1\ta\tb\n");
        assert_eq!(line, 3);
        assert!(expected.contains("4 tab-separated fields"), "{expected}");
    }

    #[test]
    fn too_many_fields_is_an_error() {
        // A stray tab inside a sentence would shift the label column: refuse it.
        let (line, _) = read_err(GlueFormat::Sst2, b"sentence\tlabel\ngood\t1\nba\td\t0\n");
        assert_eq!(line, 3);
    }

    #[test]
    fn cola_needs_exactly_four_fields() {
        let (line, expected) = read_err(GlueFormat::Cola, b"gj04\t1\t\tOk.\ngj04\t1\tOk.\n");
        assert_eq!(line, 2);
        assert!(expected.contains("4 tab-separated"), "{expected}");
    }

    #[test]
    fn empty_line_is_an_error_not_skipped() {
        let (line, _) = read_err(GlueFormat::Sst2, b"sentence\tlabel\ngood\t1\n\nbad\t0\n");
        assert_eq!(line, 3);
    }

    #[test]
    fn unknown_label_is_an_error() {
        let (line, expected) =
            read_err(GlueFormat::Rte, b"index\tsentence1\tsentence2\tlabel\n0\ta\tb\tcontradiction\n");
        assert_eq!(line, 2);
        assert!(expected.contains("not_entailment"), "{expected}");
    }

    #[test]
    fn unparsable_or_out_of_range_score_is_an_error() {
        let head = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n";
        for bad in ["high", "NaN", "5.5", "-0.1", ""] {
            let row = format!("0\tg\tf\t2012\t1\tnone\tnone\tA.\tB.\t{bad}\n");
            let (line, expected) = read_err(GlueFormat::Stsb, format!("{head}{row}").as_bytes());
            assert_eq!(line, 2, "score {bad:?}");
            assert!(expected.contains("score between 0 and 5"), "{expected}");
        }
    }

    #[test]
    fn missing_header_column_is_an_error_on_line_1() {
        let (line, expected) =
            read_err(GlueFormat::Mrpc, b"Quality\t#1 ID\t#2 ID\t#1 Strin\t#2 String\n1\t1\t2\ta\tb\n");
        assert_eq!(line, 1);
        assert!(expected.contains("`#1 String`"), "{expected}");
    }

    #[test]
    fn empty_file_and_header_only_are_errors() {
        let (line, _) = read_err(GlueFormat::Sst2, b"");
        assert_eq!(line, 1);
        let (line, expected) = read_err(GlueFormat::Sst2, b"sentence\tlabel\n");
        assert_eq!((line, expected.as_str()), (2, "at least one data row"));
    }

    #[test]
    fn invalid_utf8_is_an_error_with_line() {
        let (line, expected) = read_err(GlueFormat::Sst2, b"sentence\tlabel\ngood\t1\nb\xffd\t0\n");
        assert_eq!((line, expected.as_str()), (3, "UTF-8 text"));
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let err = GlueFormat::Rte.read(Path::new("/nonexistent/dev.tsv")).expect_err("no file");
        assert!(err.to_string().contains("/nonexistent/dev.tsv"), "{err}");
    }

    #[test]
    fn error_message_names_file_line_and_expectation() {
        let f = temp_file(b"sentence\tlabel\ngood\t2\n");
        let err = GlueFormat::Sst2.read(f.path()).expect_err("bad label");
        let msg = err.to_string();
        assert!(msg.starts_with(&format!("{}:2: expected a label in", f.path().display())), "{msg}");
        assert!(msg.ends_with("found \"2\""), "{msg}");
    }
}
