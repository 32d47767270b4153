//! Task definitions: which files hold a task, how their labels read, which metric is the
//! task's headline score (the one failure is judged on), and scoring predictions with the
//! task's metrics.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{DataError, Result};
use crate::glue::{glue_file, read_table, Column, Example, GlueFormat, Label, LabelKind, TableLayout};
use crate::metrics::{Metric, Predictions};

/// Whether a task predicts a class or a real value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskKind {
    /// One of `TaskSpec::labels`.
    Classification,
    /// A real-valued score (STS-B).
    Regression,
}

/// Which part of a task's data to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Training set.
    Train,
    /// Development set, on which the paper reports every score.
    Dev,
}

impl Split {
    /// Lower-case name, also the GLUE file stem (`train.tsv`, `dev.tsv`).
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Dev => "dev",
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a task's examples come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TaskSource {
    /// An original GLUE task folder holding `train.tsv` and `dev.tsv`.
    Glue {
        /// Which GLUE layout the files have.
        format: GlueFormat,
        /// The task's folder, e.g. `../shared/data/glue/RTE`.
        dir: PathBuf,
    },
    /// A GLUE task as the Hugging Face dataset `nyu-mll/glue` keeps it: two parquet files.
    GlueHub {
        /// Which GLUE task.
        format: GlueFormat,
        /// `<config>/train-00000-of-00001.parquet`, where the hub cache holds it.
        train: PathBuf,
        /// `<config>/validation-00000-of-00001.parquet`, where the hub cache holds it.
        dev: PathBuf,
    },
    /// A user-defined table (see [`CustomTaskConfig`]).
    Custom(CustomTaskConfig),
}

/// A task the harness can finetune on and evaluate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSpec {
    /// Display name (`RTE`, `STS-B`, or a custom task's name).
    pub name: String,
    /// Classification or regression.
    pub kind: TaskKind,
    /// Label strings as written in the data; class `i` is `labels[i]`. Empty for regression.
    pub labels: Vec<String>,
    /// The headline metric; serialised as its name ([`Metric::name`]).
    pub metric: Metric,
    /// All reported metrics, headline first, then secondary ones.
    pub metrics: Vec<Metric>,
    /// Where the examples are read from.
    pub source: TaskSource,
}

/// Definition of a task read from the user's own delimited files, e.g. in a YAML
/// experiment config:
///
/// ```yaml
/// name: my-nli
/// train: data/train.tsv
/// dev: data/dev.tsv
/// text_a: premise
/// text_b: hypothesis
/// label: gold
/// labels: [yes, no]
/// metric: accuracy
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomTaskConfig {
    /// Task name, used in reports and result files.
    pub name: String,
    /// Training file.
    pub train: PathBuf,
    /// Development (evaluation) file.
    pub dev: PathBuf,
    /// Field separator; tab when absent.
    #[serde(default)]
    pub delimiter: Option<char>,
    /// Whether the first line names the columns (default true).
    #[serde(default = "default_true")]
    pub header: bool,
    /// Column of the first text: its header name, or its 0-based index when `header` is false.
    pub text_a: String,
    /// Column of the second text for pair tasks.
    #[serde(default)]
    pub text_b: Option<String>,
    /// Column of the label.
    pub label: String,
    /// The class labels as written in the file; absent means a regression task.
    #[serde(default)]
    pub labels: Option<Vec<String>>,
    /// Headline metric, by name (any case); default `accuracy` for classification,
    /// `spearman` for regression.
    #[serde(default)]
    pub metric: Option<Metric>,
}

fn default_true() -> bool {
    true
}

impl CustomTaskConfig {
    /// Makes relative `train`/`dev` paths relative to `base` (typically the folder of
    /// the config file), so a config works from any working directory.
    pub fn with_base_dir(mut self, base: &Path) -> Self {
        for path in [&mut self.train, &mut self.dev] {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        }
        self
    }
}

impl TaskSpec {
    /// The GLUE task `name` (case-insensitive; `STS-B`/`stsb` alike) whose folder lies
    /// in `glue_dir`. Does not touch the file system.
    pub fn glue(name: &str, glue_dir: &Path) -> Result<TaskSpec> {
        let format = GlueFormat::find(name)?;
        Ok(TaskSpec::glue_from(format, TaskSource::Glue { format, dir: glue_dir.join(format.name()) }))
    }

    /// The GLUE task `format` read from the hub's parquet files `train` and `dev`.
    pub fn glue_hub(format: GlueFormat, train: PathBuf, dev: PathBuf) -> TaskSpec {
        TaskSpec::glue_from(format, TaskSource::GlueHub { format, train, dev })
    }

    fn glue_from(format: GlueFormat, source: TaskSource) -> TaskSpec {
        let (kind, metrics) = match format {
            GlueFormat::Rte | GlueFormat::Sst2 => (TaskKind::Classification, vec![Metric::Accuracy]),
            GlueFormat::Mrpc => (TaskKind::Classification, vec![Metric::F1, Metric::Accuracy]),
            GlueFormat::Cola => (TaskKind::Classification, vec![Metric::Mcc, Metric::Accuracy]),
            GlueFormat::Stsb => (TaskKind::Regression, vec![Metric::Spearman, Metric::Pearson]),
        };
        TaskSpec {
            name: format.name().to_owned(),
            kind,
            labels: format.labels().iter().map(|s| s.to_string()).collect(),
            metric: metrics[0],
            metrics,
            source,
        }
    }

    /// A task read from the user's own files. Checks the definition (columns, labels,
    /// metric) now, so a sweep fails before its first run rather than in the middle.
    pub fn custom(config: &CustomTaskConfig) -> Result<TaskSpec> {
        custom_layout(config)?;
        let invalid = |message: String| DataError::InvalidTask { task: config.name.clone(), message };
        let kind = if config.labels.is_some() { TaskKind::Classification } else { TaskKind::Regression };
        let labels = config.labels.clone().unwrap_or_default();
        let default_metric = match kind {
            TaskKind::Classification => Metric::Accuracy,
            TaskKind::Regression => Metric::Spearman,
        };
        let metric = config.metric.unwrap_or(default_metric);
        if metric.is_classification() != (kind == TaskKind::Classification) {
            return Err(invalid(format!(
                "metric `{}` does not fit a {} task ({})",
                metric.name(),
                if kind == TaskKind::Classification { "classification" } else { "regression" },
                "a task without `labels` is a regression task"
            )));
        }
        if metric == Metric::F1 && labels.len() != 2 {
            return Err(invalid(format!(
                "metric `f1` needs exactly two labels (the second is the positive class), found {}",
                labels.len()
            )));
        }
        let secondary = match kind {
            TaskKind::Classification => Metric::Accuracy,
            TaskKind::Regression if metric == Metric::Spearman => Metric::Pearson,
            TaskKind::Regression => Metric::Spearman,
        };
        let mut metrics = vec![metric];
        if secondary != metric {
            metrics.push(secondary);
        }
        Ok(TaskSpec {
            name: config.name.clone(),
            kind,
            labels,
            metric,
            metrics,
            source: TaskSource::Custom(config.clone()),
        })
    }

    /// The file that holds `split`.
    pub fn path(&self, split: Split) -> PathBuf {
        match &self.source {
            TaskSource::Glue { dir, .. } => glue_file(dir, split.name()),
            TaskSource::GlueHub { train, dev, .. } => match split {
                Split::Train => train.clone(),
                Split::Dev => dev.clone(),
            },
            TaskSource::Custom(config) => match split {
                Split::Train => config.train.clone(),
                Split::Dev => config.dev.clone(),
            },
        }
    }

    /// Reads every example of `split`.
    pub fn load(&self, split: Split) -> Result<Vec<Example>> {
        let path = self.path(split);
        match &self.source {
            TaskSource::Glue { format, .. } => format.read(&path),
            TaskSource::GlueHub { format, .. } => format.read_parquet(&path),
            TaskSource::Custom(config) => read_table(&path, &custom_layout(config)?),
        }
    }

    /// Number of model outputs: the label count, or 1 for regression.
    pub fn num_labels(&self) -> usize {
        match self.kind {
            TaskKind::Classification => self.labels.len(),
            TaskKind::Regression => 1,
        }
    }

    /// Headline score, in report scale, of the majority-class predictor on `dev`: the
    /// constant prediction of `dev`'s most frequent class (lowest index on a tie). A run
    /// at or below this has failed (spec §4). For regression a constant prediction has
    /// no correlation, so the chance score is 0; likewise for an empty `dev`.
    pub fn chance_score(&self, dev: &[Example]) -> f64 {
        if self.kind == TaskKind::Regression {
            return 0.0;
        }
        let gold: Vec<usize> = dev
            .iter()
            .filter_map(|e| match e.label {
                Label::Class(c) => Some(c),
                Label::Score(_) => None,
            })
            .collect();
        let mut counts = vec![0usize; gold.iter().max().map_or(0, |m| m + 1)];
        for &c in &gold {
            counts[c] += 1;
        }
        // max_by_key keeps the last maximum; reversing makes ties go to the lowest index.
        let Some((majority, _)) = counts.iter().enumerate().rev().max_by_key(|(_, n)| **n) else {
            return 0.0;
        };
        self.metric.on_classes(&vec![majority; gold.len()], &gold)
    }

    /// Scores `preds` against `gold` with every metric of the task, in report scale (percent
    /// for accuracy and F1, ×100 for MCC and correlations), keyed by [`Metric::name`] as
    /// result files store them.
    ///
    /// Errors when the lengths differ, the set is empty, the prediction or label kind does
    /// not match the task, or a class index is outside the task's labels.
    pub fn evaluate(&self, preds: &Predictions, gold: &[Label]) -> Result<BTreeMap<String, f64>> {
        let fail = |message: String| DataError::Evaluation { task: self.name.clone(), message };
        if preds.len() != gold.len() {
            return Err(fail(format!("{} predictions for {} gold labels", preds.len(), gold.len())));
        }
        if gold.is_empty() {
            return Err(fail("no examples to evaluate".to_owned()));
        }
        let scores: Vec<f64> = match (self.kind, preds) {
            (TaskKind::Classification, Predictions::Classes(pred)) => {
                let n_labels = self.labels.len();
                let gold = gold
                    .iter()
                    .enumerate()
                    .map(|(i, l)| match l {
                        Label::Class(c) if *c < n_labels => Ok(*c),
                        other => Err(fail(format!("gold label {i} is {other:?}, expected a class below {n_labels}"))),
                    })
                    .collect::<Result<Vec<_>>>()?;
                if let Some((i, p)) = pred.iter().enumerate().find(|(_, p)| **p >= n_labels) {
                    return Err(fail(format!("prediction {i} is class {p}, but the task has {n_labels} labels")));
                }
                self.metrics.iter().map(|m| m.on_classes(pred, &gold)).collect()
            }
            (TaskKind::Regression, Predictions::Scores(pred)) => {
                let gold = gold
                    .iter()
                    .enumerate()
                    .map(|(i, l)| match l {
                        Label::Score(s) => Ok(f64::from(*s)),
                        other => Err(fail(format!("gold label {i} is {other:?}, expected a score"))),
                    })
                    .collect::<Result<Vec<_>>>()?;
                let pred: Vec<f64> = pred.iter().map(|p| f64::from(*p)).collect();
                self.metrics.iter().map(|m| m.on_scores(&pred, &gold)).collect()
            }
            (kind, _) => return Err(fail(format!("{kind:?} task given the wrong kind of predictions"))),
        };
        Ok(self.metrics.iter().map(|m| m.name().to_owned()).zip(scores).collect())
    }
}

/// [`TaskSpec::evaluate`] as a free function (the crate's `evaluate`).
pub fn evaluate(task: &TaskSpec, preds: &Predictions, gold: &[Label]) -> Result<BTreeMap<String, f64>> {
    task.evaluate(preds, gold)
}

/// Turns a custom task definition into a reader layout, checking it on the way.
fn custom_layout(config: &CustomTaskConfig) -> Result<TableLayout> {
    let invalid = |message: String| DataError::InvalidTask { task: config.name.clone(), message };
    if config.name.trim().is_empty() {
        return Err(invalid("the task name is empty".to_owned()));
    }
    let delimiter = config.delimiter.unwrap_or('\t');
    if matches!(delimiter, '\n' | '\r') {
        return Err(invalid("the delimiter cannot be a line break".to_owned()));
    }
    let column = |field: &str, value: &str| -> Result<Column> {
        if config.header {
            Ok(Column::Name(value.to_owned()))
        } else {
            value.trim().parse::<usize>().map(Column::Index).map_err(|_| {
                invalid(format!("`{field}: {value}` must be a 0-based column index because `header` is false"))
            })
        }
    };
    let label_kind = match &config.labels {
        None => LabelKind::Score { range: None },
        Some(labels) => {
            if labels.len() < 2 {
                return Err(invalid(format!("`labels` needs at least two classes, found {labels:?}")));
            }
            if let Some(dup) = labels.iter().enumerate().find(|(i, l)| labels[..*i].contains(l)) {
                return Err(invalid(format!("label `{}` is listed twice", dup.1)));
            }
            LabelKind::Classes(labels.clone())
        }
    };
    Ok(TableLayout {
        delimiter,
        header: config.header,
        n_fields: None,
        text_a: column("text_a", &config.text_a)?,
        text_b: config.text_b.as_deref().map(|b| column("text_b", b)).transpose()?,
        label: column("label", &config.label)?,
        label_kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(yaml_like_json: &str) -> std::result::Result<CustomTaskConfig, serde_json::Error> {
        serde_json::from_str(yaml_like_json)
    }

    #[test]
    fn glue_specs() {
        let dir = Path::new("/data/glue");
        let rte = TaskSpec::glue("rte", dir).expect("known");
        assert_eq!(rte.name, "RTE");
        assert_eq!(rte.labels, ["entailment", "not_entailment"]);
        assert_eq!((rte.metric, rte.metrics.len()), (Metric::Accuracy, 1));
        assert_eq!(rte.path(Split::Dev), Path::new("/data/glue/RTE/dev.tsv"));
        let mrpc = TaskSpec::glue("MRPC", dir).expect("known");
        assert_eq!(mrpc.metrics, [Metric::F1, Metric::Accuracy]);
        let cola = TaskSpec::glue("CoLA", dir).expect("known");
        assert_eq!(cola.metrics, [Metric::Mcc, Metric::Accuracy]);
        let stsb = TaskSpec::glue("sts-b", dir).expect("known");
        assert_eq!((stsb.kind, stsb.labels.len(), stsb.num_labels()), (TaskKind::Regression, 0, 1));
        assert_eq!(stsb.metrics, [Metric::Spearman, Metric::Pearson]);
        assert_eq!(stsb.path(Split::Train), Path::new("/data/glue/STS-B/train.tsv"));
        let sst = TaskSpec::glue("SST-2", dir).expect("known");
        assert_eq!((sst.metric, sst.num_labels()), (Metric::Accuracy, 2));
    }

    #[test]
    fn unknown_glue_task_lists_known_ones() {
        let err = TaskSpec::glue("QNLI", Path::new(".")).expect_err("unknown");
        let msg = err.to_string();
        assert!(msg.contains("QNLI") && msg.contains("RTE, MRPC, CoLA, STS-B, SST-2"), "{msg}");
    }

    #[test]
    fn custom_config_defaults() {
        let cfg = config(r#"{"name":"t","train":"a.tsv","dev":"b.tsv","text_a":"s","label":"y","labels":["n","p"]}"#)
            .expect("valid config");
        assert_eq!(cfg.delimiter, None);
        assert!(cfg.header);
        let spec = TaskSpec::custom(&cfg).expect("valid task");
        assert_eq!(spec.kind, TaskKind::Classification);
        assert_eq!(spec.metrics, [Metric::Accuracy]);
        let cfg = config(r#"{"name":"r","train":"a","dev":"b","text_a":"s","label":"y","metric":"Pearson"}"#)
            .expect("valid config");
        assert_eq!(cfg.metric, Some(Metric::Pearson));
        let spec = TaskSpec::custom(&cfg).expect("valid task");
        assert_eq!((spec.kind, spec.metrics.clone()), (TaskKind::Regression, vec![Metric::Pearson, Metric::Spearman]));
    }

    #[test]
    fn custom_config_rejects_unknown_fields() {
        let err = config(r#"{"name":"t","train":"a","dev":"b","text_a":"s","label":"y","lables":["a","b"]}"#)
            .expect_err("typo must not be ignored");
        assert!(err.to_string().contains("lables"), "{err}");
    }

    #[test]
    fn custom_config_validation() {
        let base = r#""name":"t","train":"a","dev":"b","text_a":"s","label":"y""#;
        let bad = [
            (format!(r#"{{{base},"labels":["a","b"],"metric":"spearman"}}"#), "does not fit"),
            (format!(r#"{{{base},"metric":"accuracy"}}"#), "does not fit"),
            (format!(r#"{{{base},"labels":["a","b","c"],"metric":"f1"}}"#), "exactly two labels"),
            (format!(r#"{{{base},"labels":["a"]}}"#), "at least two"),
            (format!(r#"{{{base},"labels":["a","a"]}}"#), "listed twice"),
            (format!(r#"{{{base},"header":false}}"#), "0-based column index"),
            (format!(r#"{{{base},"delimiter":"\n"}}"#), "line break"),
        ];
        for (json, needle) in bad {
            let cfg = config(&json).expect("parses");
            let err = TaskSpec::custom(&cfg).expect_err(&json);
            assert!(err.to_string().contains(needle), "{json}: {err}");
        }
    }

    #[test]
    fn custom_config_rejects_unknown_metric_when_read() {
        let err =
            config(r#"{"name":"t","train":"a","dev":"b","text_a":"s","label":"y","labels":["a","b"],"metric":"auc"}"#)
                .expect_err("no such metric");
        assert!(err.to_string().contains("unknown metric `auc`; known metrics: accuracy, f1"), "{err}");
    }

    #[test]
    fn spec_serialises_metrics_by_name() {
        // Result files carry the spec's metric names: the typed fields must write the same strings.
        let json = serde_json::to_value(TaskSpec::glue("MRPC", Path::new("/g")).expect("known")).expect("serialises");
        assert_eq!(
            (&json["metric"], &json["metrics"]),
            (&serde_json::json!("f1"), &serde_json::json!(["f1", "accuracy"]))
        );
        let cfg =
            config(r#"{"name":"t","train":"a","dev":"b","text_a":"s","label":"y","labels":["a","b"],"metric":"MCC"}"#)
                .expect("valid");
        assert_eq!(serde_json::to_value(&cfg).expect("serialises")["metric"], "mcc");
    }

    #[test]
    fn evaluate_scores_every_metric_by_name() {
        let dir = Path::new(".");
        let gold: Vec<Label> = [1, 1, 1, 0, 0].into_iter().map(Label::Class).collect();
        let pred = Predictions::Classes(vec![1, 0, 1, 1, 0]);
        let scores = TaskSpec::glue("MRPC", dir).expect("known").evaluate(&pred, &gold).expect("evaluates");
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert_eq!(scores.keys().collect::<Vec<_>>(), ["accuracy", "f1"]);
        assert!(close(scores["f1"], 200.0 / 3.0) && close(scores["accuracy"], 60.0), "{scores:?}");
        let cola = evaluate(&TaskSpec::glue("CoLA", dir).expect("known"), &pred, &gold).expect("evaluates");
        assert!(close(cola["mcc"], 100.0 / 6.0), "{cola:?}");
        let stsb = TaskSpec::glue("STS-B", dir).expect("known");
        let gold: Vec<Label> = [1.0, 3.0, 2.0, 4.0].into_iter().map(Label::Score).collect();
        let scores = stsb.evaluate(&Predictions::Scores(vec![1.0, 2.0, 3.0, 4.0]), &gold).expect("evaluates");
        assert!(close(scores["pearson"], 80.0) && close(scores["spearman"], 80.0), "{scores:?}");
    }

    #[test]
    fn evaluate_rejects_mismatched_predictions() {
        let task = TaskSpec::glue("RTE", Path::new(".")).expect("known");
        let gold = [Label::Class(0), Label::Class(1)];
        let cases = [
            (Predictions::Classes(vec![0]), "1 predictions for 2 gold labels"),
            (Predictions::Classes(vec![0, 2]), "prediction 1 is class 2"),
            (Predictions::Scores(vec![0.0, 1.0]), "wrong kind of predictions"),
        ];
        for (pred, needle) in cases {
            let err = task.evaluate(&pred, &gold).expect_err(needle).to_string();
            assert!(err.contains("`RTE`") && err.contains(needle), "{err}");
        }
        let err = task.evaluate(&Predictions::Classes(vec![]), &[]).expect_err("empty").to_string();
        assert!(err.contains("no examples"), "{err}");
    }

    #[test]
    fn custom_task_loads_by_name_and_by_index() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("train.csv"), "y,premise,hyp\np,a b,c\nn,d,e\n").expect("write");
        std::fs::write(dir.path().join("dev.txt"), "0.5|x|y\n2|z|w\n").expect("write");
        let cfg = config(
            r#"{"name":"nli","train":"train.csv","dev":"train.csv","delimiter":",","text_a":"premise","text_b":"hyp","label":"y","labels":["n","p"]}"#,
        )
        .expect("valid")
        .with_base_dir(dir.path());
        let spec = TaskSpec::custom(&cfg).expect("valid task");
        let train = spec.load(Split::Train).expect("loads");
        assert_eq!(train.len(), 2);
        assert_eq!((train[0].text_a.as_str(), train[0].text_b.as_deref()), ("a b", Some("c")));
        assert_eq!((train[0].label, train[1].label), (Label::Class(1), Label::Class(0)));

        let cfg = config(r#"{"name":"reg","train":"dev.txt","dev":"dev.txt","delimiter":"|","header":false,"text_a":"1","label":"0"}"#)
            .expect("valid")
            .with_base_dir(dir.path());
        let dev = TaskSpec::custom(&cfg).expect("valid task").load(Split::Dev).expect("loads");
        assert_eq!(dev[1].label, Label::Score(2.0));
        assert_eq!(dev[1].text_a, "z");
        assert_eq!(dev[1].text_b, None);
    }

    #[test]
    fn custom_task_missing_column_names_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("d.tsv");
        std::fs::write(&path, "text\tgold\nhi\t1\n").expect("write");
        let cfg = CustomTaskConfig {
            name: "t".into(),
            train: path.clone(),
            dev: path.clone(),
            delimiter: None,
            header: true,
            text_a: "text".into(),
            text_b: None,
            label: "label".into(),
            labels: Some(vec!["0".into(), "1".into()]),
            metric: None,
        };
        let err = TaskSpec::custom(&cfg).expect("valid").load(Split::Dev).expect_err("no label column");
        let msg = err.to_string();
        assert!(msg.contains(&format!("{}:1:", path.display())) && msg.contains("`label`"), "{msg}");
    }

    #[test]
    fn chance_score_by_hand() {
        let ex = |c: usize| Example { text_a: String::new(), text_b: None, label: Label::Class(c) };
        let dev: Vec<Example> = [1, 1, 1, 0].into_iter().map(ex).collect();
        let dir = Path::new(".");
        // Majority class 1 on 3 of 4: accuracy 75 %, F1 = 2*3/(2*3+1) = 6/7, MCC 0.
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(TaskSpec::glue("RTE", dir).expect("known").chance_score(&dev), 75.0));
        assert!(close(TaskSpec::glue("MRPC", dir).expect("known").chance_score(&dev), 600.0 / 7.0));
        assert_eq!(TaskSpec::glue("CoLA", dir).expect("known").chance_score(&dev), 0.0);
        // Tie goes to class 0: F1 of predicting all-negative is 0.
        let tie: Vec<Example> = [0, 1].into_iter().map(ex).collect();
        assert_eq!(TaskSpec::glue("MRPC", dir).expect("known").chance_score(&tie), 0.0);
        assert_eq!(TaskSpec::glue("MRPC", dir).expect("known").chance_score(&[]), 0.0);
    }
}
