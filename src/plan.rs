//! Which regulariser each parameter gets: the single source of truth shared by the
//! trainer and by `mixout inspect`.

use crate::error::{Error, Result};
use crate::mixout::{BackwardVariant, Granularity, MixoutSpec};
use mixout_spec::{DecayTarget, HeadConfig, LayerPreset, Setting};

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
    /// Factor on the learning rate (layer-wise decay; 1 without it).
    pub lr_scale: f64,
    /// Re-initialised instead of kept pretrained (`reinit_layers`).
    pub reinit: bool,
}

/// Position of a parameter in the encoder's depth: 0 for the embeddings, `i + 1` for encoder
/// layer `i` (named `…encoder.layer.i.…`, in DistilBERT `…transformer.layer.i.…`, in
/// ModernBERT `model.layers.i.…`), and None for what sits above the layers (pooler, final
/// norm, head) or outside them.
pub fn layer_depth(name: &str) -> Option<usize> {
    // DeBERTa's relative-position table and its LayerNorm (`encoder.rel_embeddings`,
    // `encoder.LayerNorm`) are shared by every layer: they sit with the embeddings.
    if name.contains("embeddings") || name.contains("encoder.LayerNorm.") {
        return Some(0);
    }
    for key in ["encoder.layer.", "transformer.layer.", "model.layers."] {
        if let Some(rest) = name.split(key).nth(1) {
            return rest.split('.').next().and_then(|i| i.parse::<usize>().ok()).map(|i| i + 1);
        }
    }
    None
}

/// Number of encoder layers of a model, from its parameter names.
pub fn encoder_layers(params: &[(String, Vec<i64>)]) -> usize {
    params.iter().filter_map(|(n, _)| layer_depth(n)).max().unwrap_or(0)
}

/// Whether `reinit_layers: k` re-initialises a parameter: the top k encoder layers and the
/// pooler; for ModernBERT, whose layers are pre-norm, also the final norm above them and
/// `head.dense`/`head.norm`, which sit where BERT's pooler does.
pub fn is_reinit(name: &str, layers: usize, k: usize) -> bool {
    if k == 0 || is_head(name) {
        return false;
    }
    if is_pooler(name) {
        return true;
    }
    matches!(layer_depth(name), Some(d) if d >= 1 && d + k > layers)
}

/// The learning-rate factor of a parameter under layer-wise decay γ: γ^(L − depth) for the
/// embeddings (depth 0) and encoder layers (depth 1..=L); 1 for the pooler and head.
pub fn llrd_scale(name: &str, layers: usize, gamma: Option<f64>) -> f64 {
    match (gamma, layer_depth(name)) {
        (Some(g), Some(d)) if !is_head(name) => g.powi((layers.saturating_sub(d)) as i32),
        _ => 1.0,
    }
}

/// True for what sits between the top encoder layer and the new head: BERT's pooler,
/// ModernBERT's final norm and its pretrained `head.{dense,norm}`.
pub fn is_pooler(name: &str) -> bool {
    name.contains("pooler") || name.starts_with("head.") || name.starts_with("model.final_norm.")
}

/// True for names that are never mixed nor decayed: biases and LayerNorm (ModernBERT's
/// `attn_norm`, `mlp_norm`, `final_norm`, `embeddings.norm`, `head.norm`).
pub fn is_bias_or_norm(name: &str) -> bool {
    name.ends_with(".bias") || name.contains("LayerNorm") || name.contains("layer_norm") || name.contains("norm.")
}

/// True for the new head's parameters (`classifier.*`; DistilBERT's `pre_classifier.*` and
/// DeBERTa's `pooler.*`, created fresh, too).
pub fn is_head(name: &str) -> bool {
    name.starts_with("classifier.") || name.starts_with("pre_classifier.") || name.starts_with("pooler.")
}

/// True for the first linear layer of a feed-forward block: BERT, RoBERTa and ELECTRA's
/// `intermediate.dense`, DistilBERT's `ffn.lin1`, ModernBERT's `mlp.Wi` (the GeGLU's input
/// and gate in one matrix).
pub fn is_ffn_input(name: &str) -> bool {
    name.contains("intermediate.dense") || name.contains("ffn.lin1") || name.contains("mlp.Wi.")
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
        // The paper's BERT runs: no dropout precedes the FFN's first layer, so it is skipped
        // (ModernBERT: `mlp.Wi`; its Wqkv, attn.Wo, mlp.Wo and head.dense are mixed).
        LayerPreset::Paper => is_encoder_linear_weight(name, shape) && !is_ffn_input(name),
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
    let layers = encoder_layers(params);
    if s.reinit_layers as usize > layers {
        return Err(Error::Invalid(format!(
            "reinit_layers is {} but the model has only {layers} encoder layers",
            s.reinit_layers
        )));
    }
    let mut out = Vec::with_capacity(params.len());
    for (name, shape) in params {
        let reinit = is_reinit(name, layers, s.reinit_layers as usize);
        // Re-initialised layers have no pretrained value to return to: their targets are
        // their own new initial weights, as for the head.
        let pretrained = if reinit { Target::Init } else { Target::Pretrained };
        let mut mixout = None;
        if is_head(name) {
            if let HeadConfig::Mixout(p) = s.head {
                // Every weight matrix of the head (RoBERTa/ELECTRA: dense and out_proj).
                if name.ends_with(".weight") && shape.len() == 2 {
                    mixout = Some((MixoutSpec::new(p, Granularity::Neuron, s.mixout.backward)?, Target::Init));
                }
            }
        } else if s.mixout.p > 0.0 && !is_bias_or_norm(name) && !name.contains("embeddings") {
            let selected = preset_selects(s.mixout.layers, name, shape) || include.iter().any(|g| g.matches(name));
            if selected && !exclude.iter().any(|g| g.matches(name)) {
                mixout = Some((spec, pretrained));
            }
        }
        let decay = if s.weight_decay.lambda > 0.0 && !is_bias_or_norm(name) {
            let target = match (s.weight_decay.toward, is_head(name)) {
                (DecayTarget::Zero, _) => Target::Zero,
                (DecayTarget::Pretrained, true) => Target::Init,
                (DecayTarget::Pretrained, false) => pretrained,
            };
            Some((s.weight_decay.lambda, target))
        } else {
            None
        };
        let lr_scale = llrd_scale(name, layers, s.llrd);
        out.push(ParamPlan { name: name.clone(), shape: shape.clone(), mixout, decay, lr_scale, reinit });
    }
    check_no_silent_noop(params, s, &out)?;
    Ok(out)
}

/// Refuses selections that would quietly do nothing: the authors' code left layers unmixed
/// without a word (their issues 7 and 8), and a run labelled `mixout0.5` that mixes nothing
/// would be reported as a mixout result.
fn check_no_silent_noop(params: &[(String, Vec<i64>)], s: &Setting, plans: &[ParamPlan]) -> Result<()> {
    let example = params
        .iter()
        .map(|(n, _)| n.as_str())
        .find(|n| {
            (n.contains("encoder.layer.0.") || n.contains("layers.0.")) && n.ends_with(".weight") && !is_bias_or_norm(n)
        })
        .unwrap_or("bert.encoder.layer.0.output.dense.weight");
    let hint = format!("parameter names look like `{example}`; `mixout inspect FILE` lists them all");
    let m = &s.mixout;
    if m.p == 0.0 && (!m.include.is_empty() || !m.exclude.is_empty()) {
        return Err(Error::Invalid(
            "mixout.include/exclude are given but mixout.p is 0, so nothing is mixed: set `mixout: {p: ...}` or drop the patterns".into(),
        ));
    }
    for (field, pats) in [("include", &m.include), ("exclude", &m.exclude)] {
        for pat in pats.iter() {
            let g =
                glob::Pattern::new(pat).map_err(|e| Error::Invalid(format!("mixout.{field} pattern `{pat}`: {e}")))?;
            if !params.iter().any(|(n, _)| g.matches(n)) {
                return Err(Error::Invalid(format!(
                    "mixout.{field} pattern `{pat}` matches no parameter of this model ({hint})"
                )));
            }
        }
    }
    let encoder_mixed = plans.iter().filter(|p| p.mixout.is_some() && !is_head(&p.name)).count();
    if m.p > 0.0 && encoder_mixed == 0 {
        let preset =
            serde_json::to_value(m.layers).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
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
            [
                "bert.encoder.layer.0.attention.self.query.weight",
                "bert.encoder.layer.0.output.dense.weight",
                "bert.pooler.dense.weight"
            ]
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

    fn two_layer_params() -> Vec<(String, Vec<i64>)> {
        [
            "bert.embeddings.word_embeddings.weight",
            "bert.embeddings.LayerNorm.weight",
            "bert.encoder.layer.0.attention.self.query.weight",
            "bert.encoder.layer.0.output.LayerNorm.bias",
            "bert.encoder.layer.1.attention.self.query.weight",
            "bert.encoder.layer.1.output.LayerNorm.weight",
            "bert.pooler.dense.weight",
            "classifier.weight",
        ]
        .into_iter()
        .map(|n| (n.to_string(), vec![4, 4]))
        .collect()
    }

    #[test]
    fn llrd_scales_by_depth_with_embeddings_lowest() {
        let mut s = Setting { task: Some("RTE".into()), llrd: Some(0.5), ..Default::default() };
        s.weight_decay.lambda = 0.0;
        let p = plan(&two_layer_params(), &s).unwrap();
        let scale = |n: &str| p.iter().find(|p| p.name == n).unwrap().lr_scale;
        // L = 2: embeddings γ², layer 0 (l = 1) γ¹, layer 1 (l = 2) γ⁰, pooler and head 1.
        assert_eq!(scale("bert.embeddings.word_embeddings.weight"), 0.25);
        assert_eq!(scale("bert.embeddings.LayerNorm.weight"), 0.25);
        assert_eq!(scale("bert.encoder.layer.0.attention.self.query.weight"), 0.5);
        assert_eq!(scale("bert.encoder.layer.0.output.LayerNorm.bias"), 0.5);
        assert_eq!(scale("bert.encoder.layer.1.attention.self.query.weight"), 1.0);
        assert_eq!(scale("bert.pooler.dense.weight"), 1.0);
        assert_eq!(scale("classifier.weight"), 1.0);
        s.llrd = None;
        assert!(plan(&two_layer_params(), &s).unwrap().iter().all(|p| p.lr_scale == 1.0));
    }

    #[test]
    fn reinit_marks_top_layers_and_pooler_and_retargets_them_to_w0() {
        let mut s = Setting { task: Some("RTE".into()), reinit_layers: 1, ..Default::default() };
        s.mixout.p = 0.7;
        s.weight_decay.toward = DecayTarget::Pretrained;
        let p = plan(&two_layer_params(), &s).unwrap();
        let get = |n: &str| p.iter().find(|p| p.name == n).unwrap().clone();
        let top = get("bert.encoder.layer.1.attention.self.query.weight");
        assert!(top.reinit);
        assert_eq!(top.mixout.unwrap().1, Target::Init, "mixout toward the new init");
        assert_eq!(top.decay.unwrap().1, Target::Init, "wdecay toward the new init");
        assert!(get("bert.encoder.layer.1.output.LayerNorm.weight").reinit);
        assert!(get("bert.pooler.dense.weight").reinit);
        let low = get("bert.encoder.layer.0.attention.self.query.weight");
        assert!(!low.reinit);
        assert_eq!(low.mixout.unwrap().1, Target::Pretrained);
        assert!(!get("bert.embeddings.word_embeddings.weight").reinit);
        assert!(!get("classifier.weight").reinit, "the head is new anyway");
        s.reinit_layers = 3;
        assert!(plan(&two_layer_params(), &s).unwrap_err().to_string().contains("only 2 encoder layers"));
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
