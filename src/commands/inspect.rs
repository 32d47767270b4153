//! `mixout inspect`: for each setting, which parameter gets which regulariser, and what
//! mixout costs in memory. Users asked the authors exactly this ("which layers?").

use mixout::error::Result;
use mixout::plan::{mixout_extra_bytes, ParamPlan};
use mixout::study::{Overrides, Study, StudySetting};
use mixout::train::assemble::plan_for;
use std::fmt::Write;
use std::path::PathBuf;

/// Arguments of `mixout inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Experiment YAML.
    pub file: PathBuf,
}

/// Runs `mixout inspect`.
pub fn run(a: InspectArgs) -> anyhow::Result<()> {
    let study = Study::load(&a.file, &Overrides { jobs: 1, ..Default::default() })?;
    print!("{}", render(&study)?);
    Ok(())
}

/// The plan of one setting on its model, with the model's variables built (not loaded).
pub fn plan_setting(ss: &StudySetting) -> Result<Vec<ParamPlan>> {
    plan_for(&ss.spec, ss.model()?, &ss.task()?.labels)
}

/// Where a parameter's starting value comes from: the new head (`classifier.*`, and
/// DistilBERT's `pre_classifier.*`, which Hugging Face also creates fresh) is `new`, the
/// top layers `reinit_layers` redraws are `re-init`, the rest `pretrained`.
pub fn init_label(p: &ParamPlan) -> &'static str {
    if mixout::plan::is_head(&p.name) {
        "new"
    } else if p.reinit {
        "re-init"
    } else {
        "pretrained"
    }
}

/// Renders the inspection table of every setting.
pub fn render(study: &Study) -> Result<String> {
    let mut out = String::new();
    for ss in &study.settings {
        let s = &ss.spec;
        let plans = plan_setting(ss)?;
        let label = &ss.label;
        let _ = writeln!(out, "== setting `{label}` — model {}", s.model);
        let arch = ss.model()?.arch;
        let _ = writeln!(out, "   architecture {}: {}", arch.name(), arch.preset_mapping());
        let _ = writeln!(
            out,
            "   dropout {} (attention {}), head {}, mixout p {} ({:?}, preset {:?}, backward {}), wdecay λ {} toward {:?}",
            s.encoder_dropout(),
            s.attention_dropout(),
            s.head_label(),
            s.mixout.p,
            s.mixout.granularity,
            s.mixout.layers,
            s.mixout.backward.name(),
            s.weight_decay.lambda,
            s.weight_decay.toward
        );
        let _ = writeln!(
            out,
            "   lr {} × factor below (layer-wise decay {}), re-initialised top layers: {}, precision {}",
            s.lr,
            s.llrd.map(|g| format!("γ = {g}: lr·γ^(L−l), embeddings lowest")).unwrap_or_else(|| "off".into()),
            s.reinit_layers,
            s.precision.name()
        );
        let _ = writeln!(
            out,
            "{:<58} {:>12}  {:<10} {:>8}  {:<22} {:<22}",
            "parameter", "shape", "init", "lr ×", "mixout (target, p)", "wdecay (λ, toward)"
        );
        for p in &plans {
            let shape = format!("{:?}", p.shape);
            let init = init_label(p);
            let mix = p.mixout.map(|(spec, t)| format!("yes ({}, {})", t.name(), spec.p)).unwrap_or_else(|| "-".into());
            let dec = p.decay.map(|(l, t)| format!("{l} -> {}", t.name())).unwrap_or_else(|| "-".into());
            let _ = writeln!(
                out,
                "{:<58} {:>12}  {:<10} {:>8.4}  {:<22} {:<22}",
                p.name, shape, init, p.lr_scale, mix, dec
            );
        }
        let n_mixed = plans.iter().filter(|p| p.mixout.is_some()).count();
        let params_mixed: i64 =
            plans.iter().filter(|p| p.mixout.is_some()).map(|p| p.shape.iter().product::<i64>()).sum();
        let total: i64 = plans.iter().map(|p| p.shape.iter().product::<i64>()).sum();
        let extra = mixout_extra_bytes(&plans);
        let _ = writeln!(
            out,
            "   {n_mixed} mixed weight matrices, {params_mixed} of {total} parameters; extra memory for mixout: {extra} bytes ({:.1} MiB: target copy + saved weight + mask)\n",
            extra as f64 / 1048576.0
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(name: &str, reinit: bool) -> ParamPlan {
        ParamPlan { name: name.into(), shape: vec![4, 4], mixout: None, decay: None, lr_scale: 1.0, reinit }
    }

    #[test]
    fn distilbert_pre_classifier_is_labelled_new() {
        assert_eq!(init_label(&param("pre_classifier.weight", false)), "new");
        assert_eq!(init_label(&param("pre_classifier.bias", false)), "new");
        assert_eq!(init_label(&param("classifier.weight", false)), "new");
        assert_eq!(init_label(&param("classifier.out_proj.weight", false)), "new");
        assert_eq!(init_label(&param("distilbert.transformer.layer.1.ffn.lin1.weight", true)), "re-init");
        assert_eq!(init_label(&param("distilbert.transformer.layer.0.ffn.lin1.weight", false)), "pretrained");
        assert_eq!(init_label(&param("distilbert.embeddings.word_embeddings.weight", false)), "pretrained");
    }
}
