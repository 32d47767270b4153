//! The paper's settings and reference numbers (Lee, Cho & Kang, ICLR 2020, Tables 1 and 3),
//! recognised from a run's knobs.

use super::approx;
use crate::results::RunParams;

/// Output-layer regulariser of a row of the paper's Table 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperHead {
    /// No regulariser on the output layer.
    None,
    /// mixout(w0, 0.7) on the output layer, w0 its own initialisation.
    Mixout,
    /// dropout(0.7) before the output layer.
    Dropout,
}

impl PaperHead {
    /// Recognises the head strings result files carry (`none`, `mixout(w0, 0.7)`,
    /// `dropout(0.7)`); spaces and case are ignored and the probability is compared
    /// with a tolerance, because it is printed from a YAML decimal.
    pub fn parse(head: &str) -> Option<Self> {
        let h: String = head.chars().filter(|c| !c.is_whitespace()).collect();
        let h = h.to_ascii_lowercase();
        let prob = |rest: Option<&str>| {
            rest.and_then(|r| r.strip_suffix(')')).and_then(|x| x.parse::<f64>().ok()).is_some_and(|p| approx(p, 0.7))
        };
        if h == "none" {
            Some(Self::None)
        } else if prob(h.strip_prefix("mixout(w0,")) {
            Some(Self::Mixout)
        } else if prob(h.strip_prefix("dropout(")) {
            Some(Self::Dropout)
        } else {
            None
        }
    }

    /// The paper's notation.
    pub fn label(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Mixout => "mixout(w0, 0.7)",
            Self::Dropout => "dropout(0.7)",
        }
    }
}

/// A setting of the paper's Table 1 (with its λ sweep) or Table 3, recognised from
/// run knobs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PaperSetting {
    /// dropout(0.1) + wdecay(0, 0.01), no mixout: the paper's baseline.
    Baseline,
    /// wdecay(w_pre, λ) without mixout, λ ∈ {0.01, 0.04, 0.07, 0.10}.
    WdecayPretrained(f64),
    /// mixout(w_pre, p) without weight decay, p ∈ {0.7, 0.8, 0.9}.
    Mixout(f64),
    /// mixout(w_pre, p) + wdecay(w_pre, 0.01), p ∈ {0.7, 0.8, 0.9}.
    MixoutWdecay(f64),
    /// Table 3: the paper's layers at mixout(w_pre, 0.7), no weight decay, and this
    /// regulariser on the output layer. Its `None` row is Table 1's mixout(w_pre, 0.7).
    OutputLayer(PaperHead),
}

/// A reference value of the paper (BERT-large, 20 restarts): dev score mean and max.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaperRef {
    /// Mean over restarts.
    pub mean: f64,
    /// Best restart.
    pub max: f64,
}

impl PaperSetting {
    /// Recognises a paper setting from the knobs. Only the regulariser knobs are
    /// compared (and, for Table 3, the head and the mixed layers, which are what
    /// that table varies); optimiser knobs are not, because the reference is a
    /// direction to compare against, not a replication claim.
    pub fn from_params(p: &RunParams) -> Option<Self> {
        // The paper's protocol only: BERTAdam without bias correction on the whole training
        // set, nothing re-initialised, one learning rate for all layers.
        if p.bias_correction || p.reinit_layers > 0 || p.llrd.is_some() || p.train_subset.is_some() {
            return None;
        }
        let no_mixout = approx(p.mixout_p, 0.0);
        let toward_pre = p.wdecay_toward.eq_ignore_ascii_case("pretrained");
        let toward_zero = p.wdecay_toward.eq_ignore_ascii_case("zero");
        let in_set = |x: f64, set: &[f64]| set.iter().any(|&v| approx(x, v));
        let table3 = approx(p.mixout_p, 0.7) && approx(p.wdecay, 0.0) && p.mixout_layers.eq_ignore_ascii_case("paper");
        if let (true, Some(head)) = (table3, PaperHead::parse(&p.head)) {
            Some(Self::OutputLayer(head))
        } else if no_mixout && approx(p.dropout, 0.1) && toward_zero && approx(p.wdecay, 0.01) {
            Some(Self::Baseline)
        } else if no_mixout && toward_pre && in_set(p.wdecay, &[0.01, 0.04, 0.07, 0.10]) {
            Some(Self::WdecayPretrained(p.wdecay))
        } else if in_set(p.mixout_p, &[0.7, 0.8, 0.9]) && approx(p.wdecay, 0.0) {
            Some(Self::Mixout(p.mixout_p))
        } else if in_set(p.mixout_p, &[0.7, 0.8, 0.9]) && toward_pre && approx(p.wdecay, 0.01) {
            Some(Self::MixoutWdecay(p.mixout_p))
        } else {
            None
        }
    }

    /// The paper's notation for the setting.
    pub fn label(&self) -> String {
        match self {
            Self::Baseline => "dropout(0.1)+wdecay(0, .01)".to_string(),
            Self::WdecayPretrained(l) => format!("wdecay(w_pre, {l:.2})"),
            Self::Mixout(p) => format!("mixout(w_pre, {p:.1})"),
            Self::MixoutWdecay(p) => format!("mixout(w_pre, {p:.1})+wdecay(w_pre, .01)"),
            Self::OutputLayer(h) => format!("mixout(w_pre, 0.7), head {}", h.label()),
        }
    }

    /// The table of the paper the reference comes from. Table 3's `none` row
    /// repeats Table 1's mixout(w_pre, 0.7) (same runs), so it names both.
    pub fn source(&self) -> &'static str {
        match self {
            Self::OutputLayer(PaperHead::None) => "Tables 1, 3",
            Self::OutputLayer(_) => "Table 3",
            _ => "Table 1",
        }
    }

    /// The paper's BERT-large value for a task (RTE, MRPC, CoLA, STS-B; case and
    /// punctuation ignored), where the paper reports one.
    pub fn reference(&self, task: &str) -> Option<PaperRef> {
        let col = match normalise_task(task).as_str() {
            "RTE" => 0,
            "MRPC" => 1,
            "COLA" => 2,
            "STSB" => 3,
            _ => return None,
        };
        // Table 1 rows, then Table 3's two heads that Table 1 does not have.
        let row: [(f64, f64); 4] = match *self {
            Self::Baseline => [(56.5, 73.6), (83.4, 90.4), (38.8, 63.3), (82.4, 90.3)],
            Self::WdecayPretrained(l) if approx(l, 0.01) => [(56.3, 71.5), (86.2, 91.6), (41.9, 65.6), (85.4, 90.5)],
            Self::Mixout(p) if approx(p, 0.7) => MIXOUT07_TABLE1,
            Self::OutputLayer(PaperHead::None) => MIXOUT07_TABLE1,
            Self::Mixout(p) if approx(p, 0.8) => [(64.0, 74.0), (89.0, 90.7), (57.9, 63.8), (89.4, 90.3)],
            Self::Mixout(p) if approx(p, 0.9) => [(64.3, 73.3), (88.2, 91.4), (55.2, 63.4), (89.4, 90.0)],
            Self::MixoutWdecay(p) if approx(p, 0.7) => [(65.3, 74.4), (87.8, 91.8), (51.9, 64.0), (89.6, 90.6)],
            Self::OutputLayer(PaperHead::Mixout) => [(66.5, 75.5), (88.1, 92.4), (58.7, 65.6), (89.7, 90.6)],
            Self::OutputLayer(PaperHead::Dropout) => [(57.2, 70.8), (85.9, 92.5), (48.9, 64.3), (89.2, 89.8)],
            _ => return None,
        };
        let (mean, max) = row[col];
        Some(PaperRef { mean, max })
    }
}

/// Table 1's mixout(w_pre, 0.7) row, which is also Table 3's `none` row: RTE, MRPC,
/// CoLA, STS-B as (mean, max).
const MIXOUT07_TABLE1: [(f64, f64); 4] = [(61.6, 74.0), (87.1, 91.1), (57.4, 62.1), (89.6, 90.3)];

fn normalise_task(task: &str) -> String {
    task.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(mixout_p: f64, wdecay: f64, layers: &str, head: &str) -> RunParams {
        RunParams {
            dropout: 0.0,
            mixout_p,
            mixout_layers: layers.into(),
            head: head.into(),
            wdecay,
            wdecay_toward: "zero".into(),
            lr: 2e-5,
            epochs: 3,
            bias_correction: false,
            train_subset: None,
            precision: "fp32".into(),
            reinit_layers: 0,
            llrd: None,
        }
    }

    #[test]
    fn table3_heads_are_recognised_from_runner_strings() {
        // The runner formats heads as `mixout(w0, {p})` and `dropout({p})` with f64 Display.
        // Methods beyond the paper's protocol have no paper value.
        for change in [
            |p: &mut RunParams| p.bias_correction = true,
            |p: &mut RunParams| p.reinit_layers = 2,
            |p: &mut RunParams| p.llrd = Some(0.9),
            |p: &mut RunParams| p.train_subset = Some(1000),
        ] {
            let mut p = params(0.7, 0.0, "paper", "none");
            change(&mut p);
            assert_eq!(PaperSetting::from_params(&p), None);
        }
        let h = |s: &str| PaperSetting::from_params(&params(0.7, 0.0, "paper", s));
        assert_eq!(h("mixout(w0, 0.7)"), Some(PaperSetting::OutputLayer(PaperHead::Mixout)));
        assert_eq!(h("dropout(0.7)"), Some(PaperSetting::OutputLayer(PaperHead::Dropout)));
        assert_eq!(h("none"), Some(PaperSetting::OutputLayer(PaperHead::None)));
        // Another head keeps Table 1's mixout(w_pre, 0.7), as before Table 3 was known.
        assert_eq!(h("dropout(0.1)"), Some(PaperSetting::Mixout(0.7)));
        // Table 3 needs the paper's layers and no weight decay.
        let custom = params(0.7, 0.0, "custom", "dropout(0.7)");
        assert_eq!(PaperSetting::from_params(&custom), Some(PaperSetting::Mixout(0.7)));
        let wd = params(0.7, 0.01, "paper", "dropout(0.7)");
        assert_ne!(PaperSetting::from_params(&wd), Some(PaperSetting::OutputLayer(PaperHead::Dropout)));
    }

    #[test]
    fn table3_values() {
        let v = |s: PaperSetting, task: &str| s.reference(task).map(|r| (r.mean, r.max));
        let mixout = PaperSetting::OutputLayer(PaperHead::Mixout);
        let dropout = PaperSetting::OutputLayer(PaperHead::Dropout);
        let none = PaperSetting::OutputLayer(PaperHead::None);
        assert_eq!(v(mixout, "RTE"), Some((66.5, 75.5)));
        assert_eq!(v(mixout, "sts-b"), Some((89.7, 90.6)));
        assert_eq!(v(dropout, "CoLA"), Some((48.9, 64.3)));
        assert_eq!(v(dropout, "MRPC"), Some((85.9, 92.5)));
        assert_eq!(v(none, "RTE"), v(PaperSetting::Mixout(0.7), "RTE"));
        assert_eq!(v(none, "STS-B"), Some((89.6, 90.3)));
        assert_eq!(v(mixout, "SST-2"), None);
        assert_eq!(mixout.source(), "Table 3");
        assert_eq!(mixout.label(), "mixout(w_pre, 0.7), head mixout(w0, 0.7)");
    }
}
