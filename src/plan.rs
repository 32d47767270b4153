//! Which regulariser each parameter gets: the single source of truth shared by the
//! trainer and by `mixout inspect`.

use crate::config::{DecayTarget, HeadConfig, LayerPreset, Setting};
use crate::error::{Error, Result};
use crate::mixout::{BackwardVariant, Granularity, MixoutSpec};

/// Target `u` of a regulariser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The pretrained value captured at load time.
    Pretrained,
    /// The new head's own initial value `w0`.
    Init,
    /// Zero.
    Zero,
}

impl Target {
    /// Short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Target::Pretrained => "pretrained",
            Target::Init => "w0",
            Target::Zero => "zero",
        }
    }
}

/// The treatment of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamPlan {
    /// Variable name.
    pub name: String,
    /// Shape.
    pub shape: Vec<i64>,
    /// Mixout options and target, when mixed.
    pub mixout: Option<(MixoutSpec, Target)>,
    /// Weight-decay coefficient and target, when decayed.
    pub decay: Option<(f64, Target)>,
}

/// True for names that are never mixed nor decayed: biases and LayerNorm.
pub fn is_bias_or_norm(name: &str) -> bool {
    name.ends_with(".bias") || name.contains("LayerNorm") || name.contains("layer_norm")
}

/// True for the new head's parameters.
pub fn is_head(name: &str) -> bool {
    name.starts_with("classifier.")
}

/// True for the weight matrix of a linear layer of the pretrained encoder.
pub fn is_encoder_linear_weight(name: &str, shape: &[i64]) -> bool {
    shape.len() == 2
        && name.ends_with(".weight")
        && !is_head(name)
        && !name.contains("embeddings")
        && !is_bias_or_norm(name)
}

/// Whether a preset selects a weight.
pub fn preset_selects(preset: LayerPreset, name: &str, shape: &[i64]) -> bool {
    match preset {
        LayerPreset::None => false,
        LayerPreset::AllLinear => is_encoder_linear_weight(name, shape),
        // The paper's BERT runs: no dropout precedes the FFN's first layer, so it is skipped.
        LayerPreset::Paper => is_encoder_linear_weight(name, shape) && !name.contains("intermediate.dense"),
    }
}

/// Plans every parameter of a model (given as sorted `(name, shape)`) for a setting.
pub fn plan(params: &[(String, Vec<i64>)], s: &Setting) -> Result<Vec<ParamPlan>> {
    let compile = |pats: &[String]| -> Result<Vec<glob::Pattern>> {
        pats.iter()
            .map(|p| glob::Pattern::new(p).map_err(|e| Error::Invalid(format!("mixout pattern `{p}`: {e}"))))
            .collect()
    };
    let include = compile(&s.mixout.include)?;
    let exclude = compile(&s.mixout.exclude)?;
    let spec = MixoutSpec::new(s.mixout.p, s.mixout.granularity, s.mixout.backward)?;
    let mut out = Vec::with_capacity(params.len());
    for (name, shape) in params {
        let mut mixout = None;
        if is_head(name) {
            if let HeadConfig::Mixout(p) = s.head {
                if name.ends_with(".weight") {
                    mixout = Some((MixoutSpec::new(p, Granularity::Neuron, s.mixout.backward)?, Target::Init));
                }
            }
        } else if s.mixout.p > 0.0 && !is_bias_or_norm(name) && !name.contains("embeddings") {
            let selected = preset_selects(s.mixout.layers, name, shape) || include.iter().any(|g| g.matches(name));
            if selected && !exclude.iter().any(|g| g.matches(name)) {
                mixout = Some((spec, Target::Pretrained));
            }
        }
        let decay = if s.weight_decay.lambda > 0.0 && !is_bias_or_norm(name) {
            let target = match (s.weight_decay.toward, is_head(name)) {
                (DecayTarget::Zero, _) => Target::Zero,
                (DecayTarget::Pretrained, true) => Target::Init,
                (DecayTarget::Pretrained, false) => Target::Pretrained,
            };
            Some((s.weight_decay.lambda, target))
        } else {
            None
        };
        out.push(ParamPlan { name: name.clone(), shape: shape.clone(), mixout, decay });
    }
    check_no_silent_noop(params, s, &out)?;
    Ok(out)
}

/// Refuses selections that would quietly do nothing: the authors' code left layers unmixed
/// without a word (their issues 7 and 8), and a run labelled `mixout0.5` that mixes nothing
/// would be reported as a mixout result.
fn check_no_silent_noop(params: &[(String, Vec<i64>)], s: &Setting, plans: &[ParamPlan]) -> Result<()> {
    let example = params.iter().map(|(n, _)| n.as_str()).find(|n| n.contains("encoder.layer.0.") && n.ends_with(".weight") && !is_bias_or_norm(n)).unwrap_or("bert.encoder.layer.0.output.dense.weight");
    let hint = format!("parameter names look like `{example}`; `mixout inspect FILE` lists them all");
    let m = &s.mixout;
    if m.p == 0.0 && (!m.include.is_empty() || !m.exclude.is_empty()) {
        return Err(Error::Invalid(format!(
            "mixout.include/exclude are given but mixout.p is 0, so nothing is mixed: set `mixout: {{p: ...}}` or drop the patterns"
        )));
    }
    for (field, pats) in [("include", &m.include), ("exclude", &m.exclude)] {
        for pat in pats.iter() {
            let g = glob::Pattern::new(pat).map_err(|e| Error::Invalid(format!("mixout.{field} pattern `{pat}`: {e}")))?;
            if !params.iter().any(|(n, _)| g.matches(n)) {
                return Err(Error::Invalid(format!("mixout.{field} pattern `{pat}` matches no parameter of this model ({hint})")));
            }
        }
    }
    let encoder_mixed = plans.iter().filter(|p| p.mixout.is_some() && !is_head(&p.name)).count();
    if m.p > 0.0 && encoder_mixed == 0 {
        let preset = serde_json::to_value(m.layers).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let inc = if m.include.is_empty() { String::new() } else { format!(" with include {:?}", m.include) };
        let exc = if m.exclude.is_empty() { String::new() } else { format!(" and exclude {:?}", m.exclude) };
        return Err(Error::Invalid(format!(
            "mixout.p is {} but preset `{preset}`{inc}{exc} selects no weight (biases, LayerNorm and embeddings are never mixed): \
             use `layers: paper` or `all-linear`, or include weight matrices ({hint})",
            m.p
        )));
    }
    if s.weight_decay.lambda > 0.0 && !plans.iter().any(|p| p.decay.is_some()) {
        return Err(Error::Invalid(format!(
            "weight_decay.lambda is {} but no parameter is decayed (biases and LayerNorm never are): set `lambda: 0` to switch it off",
            s.weight_decay.lambda
        )));
    }
    Ok(())
}

/// Bytes of extra memory the plan's mixout costs: a target copy, the saved weight during a
/// step and the mask, per mixed weight (fp32).
pub fn mixout_extra_bytes(plan: &[ParamPlan]) -> u64 {
    plan.iter()
        .filter_map(|p| p.mixout.map(|(spec, _)| (p, spec)))
        .map(|(p, spec)| {
            let n: i64 = p.shape.iter().product();
            let mask = match spec.granularity {
                Granularity::Neuron => *p.shape.last().unwrap_or(&1),
                Granularity::Element => n,
            };
            (2 * n + mask) as u64 * 4
        })
        .sum()
}

/// Name of a backward variant for tables.
pub fn backward_name(b: BackwardVariant) -> &'static str {
    match b {
        BackwardVariant::Exact => "exact",
        BackwardVariant::Authors => "authors",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Vec<(String, Vec<i64>)> {
        [
            ("bert.embeddings.word_embeddings.weight", vec![10, 4]),
            ("bert.encoder.layer.0.attention.self.query.weight", vec![4, 4]),
            ("bert.encoder.layer.0.attention.self.query.bias", vec![4]),
            ("bert.encoder.layer.0.intermediate.dense.weight", vec![8, 4]),
            ("bert.encoder.layer.0.output.dense.weight", vec![4, 8]),
            ("bert.encoder.layer.0.output.LayerNorm.weight", vec![4]),
            ("bert.pooler.dense.weight", vec![4, 4]),
            ("classifier.weight", vec![2, 4]),
            ("classifier.bias", vec![2]),
        ]
        .into_iter()
        .map(|(n, s)| (n.to_string(), s))
        .collect()
    }

    fn mixed(s: &Setting) -> Vec<String> {
        plan(&params(), s).unwrap().into_iter().filter(|p| p.mixout.is_some()).map(|p| p.name).collect()
    }

    #[test]
    fn paper_preset_skips_intermediate_and_never_mixes_bias_norm_embeddings() {
        let mut s = Setting { task: Some("RTE".into()), ..Default::default() };
        s.mixout.p = 0.7;
        assert_eq!(
            mixed(&s),
            ["bert.encoder.layer.0.attention.self.query.weight", "bert.encoder.layer.0.output.dense.weight", "bert.pooler.dense.weight"]
        );
        s.mixout.layers = LayerPreset::AllLinear;
        assert_eq!(mixed(&s).len(), 4);
        s.mixout.exclude = vec!["bert.pooler.*".into()];
        assert_eq!(mixed(&s).len(), 3);
        s.mixout.layers = LayerPreset::None;
        s.mixout.include = vec!["*.output.dense.weight".into(), "*.bias".into()];
        assert_eq!(mixed(&s), ["bert.encoder.layer.0.output.dense.weight"]);
    }

    #[test]
    fn selections_that_mix_nothing_are_errors_naming_the_pattern_or_preset() {
        let mut s = Setting { task: Some("RTE".into()), ..Default::default() };
        s.mixout.p = 0.5;
        s.mixout.layers = LayerPreset::None;
        s.mixout.include = vec!["nothing.*".into()];
        let err = plan(&params(), &s).unwrap_err().to_string();
        assert!(err.contains("mixout.include pattern `nothing.*` matches no parameter"), "{err}");
        // A pattern that matches only never-mixed parameters: the preset/selection error.
        s.mixout.include = vec!["*.bias".into()];
        let err = plan(&params(), &s).unwrap_err().to_string();
        assert!(err.contains("preset `none`") && err.contains("selects no weight"), "{err}");
        s.mixout.include = vec![];
        let err = plan(&params(), &s).unwrap_err().to_string();
        assert!(err.contains("preset `none` selects no weight"), "{err}");
        s.mixout.layers = LayerPreset::Paper;
        s.mixout.exclude = vec!["bert.pooler.dens".into()];
        let err = plan(&params(), &s).unwrap_err().to_string();
        assert!(err.contains("mixout.exclude pattern `bert.pooler.dens` matches no parameter"), "{err}");
        s.mixout.exclude = vec![];
        s.mixout.p = 0.0;
        s.mixout.include = vec!["*.weight".into()];
        let err = plan(&params(), &s).unwrap_err().to_string();
        assert!(err.contains("mixout.p is 0"), "{err}");
        // Weight decay with nothing to decay.
        let s = Setting { task: Some("RTE".into()), ..Default::default() };
        let only_biases: Vec<(String, Vec<i64>)> = vec![("classifier.bias".into(), vec![2])];
        let err = plan(&only_biases, &s).unwrap_err().to_string();
        assert!(err.contains("no parameter is decayed"), "{err}");
    }

    #[test]
    fn head_mixout_targets_its_init_and_decay_excludes_bias_and_norm() {
        let mut s = Setting { task: Some("RTE".into()), head: HeadConfig::Mixout(0.7), ..Default::default() };
        s.weight_decay.toward = DecayTarget::Pretrained;
        let p = plan(&params(), &s).unwrap();
        let head = p.iter().find(|p| p.name == "classifier.weight").unwrap();
        assert_eq!(head.mixout.unwrap().1, Target::Init);
        assert_eq!(head.decay, Some((0.01, Target::Init)));
        let q = p.iter().find(|p| p.name.ends_with("query.weight")).unwrap();
        assert_eq!(q.mixout, None, "p = 0: encoder not mixed");
        assert_eq!(q.decay, Some((0.01, Target::Pretrained)));
        assert!(p.iter().filter(|p| is_bias_or_norm(&p.name)).all(|p| p.decay.is_none()));
    }
}
