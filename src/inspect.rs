//! `mixout inspect`: for each setting, which parameter gets which regulariser, and what
//! mixout costs in memory. Users asked the authors exactly this ("which layers?").

use crate::config::{Experiment, Setting};
use crate::error::Result;
use crate::model::{read_config, DropoutSpec, ModelFiles, SequenceClassifier};
use crate::plan::{backward_name, mixout_extra_bytes, plan, ParamPlan};
use std::fmt::Write;

/// The plan of one setting on its model, with the model's variables built (not loaded).
pub fn plan_setting(setting: &Setting, exp: &Experiment) -> Result<Vec<ParamPlan>> {
    let task = crate::train::trainer::task_for(setting, &exp.path)?;
    let files = ModelFiles::resolve(&crate::config::resolve_model(&setting.model, &exp.path))?;
    let config = read_config(&files, &task.labels)?;
    let vs = tch::nn::VarStore::new(tch::Device::Cpu);
    let mut model = SequenceClassifier::build(
        &vs.root(),
        &files,
        &config,
        DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 },
        setting.encoder,
    )?;
    model.set_precision(setting.precision)?;
    plan(&crate::train::trainer::named_shapes(&vs), setting)
}

/// Plans every setting (model variables built, no weights loaded) so that a selection that
/// mixes or decays nothing stops the study before its first run, naming the setting.
/// Settings whose model is not available here (e.g. a hub id offline) are returned, not
/// failed: their runs will say so themselves.
pub fn preflight<'a>(exp: &Experiment, settings: impl IntoIterator<Item = &'a Setting>) -> Result<Vec<String>> {
    let mut unavailable = vec![];
    for s in settings {
        let label = s.label.clone().unwrap_or_default();
        match plan_setting(s, exp) {
            Ok(_) => {}
            Err(crate::Error::Model { .. }) => unavailable.push(label),
            Err(e) => return Err(crate::Error::config(&exp.path, format!("setting `{label}`: {e}"))),
        }
    }
    Ok(unavailable)
}

/// Renders the inspection table of every setting.
pub fn render(exp: &Experiment) -> Result<String> {
    let mut out = String::new();
    for s in &exp.settings {
        let plans = plan_setting(s, exp)?;
        let label = s.label.clone().unwrap_or_default();
        let _ = writeln!(out, "== setting `{label}` — model {}", s.model);
        if let Ok(files) = ModelFiles::resolve(&crate::config::resolve_model(&s.model, &exp.path)) {
            if let Ok(arch) = crate::arch::Arch::of_file(&files.config) {
                let _ = writeln!(out, "   architecture {}: {}", arch.name(), arch.preset_mapping());
            }
        }
        let _ = writeln!(
            out,
            "   dropout {} (attention {}), head {}, mixout p {} ({:?}, preset {:?}, backward {}), wdecay λ {} toward {:?}",
            s.encoder_dropout(),
            s.attention_dropout(),
            s.head_label(),
            s.mixout.p,
            s.mixout.granularity,
            s.mixout.layers,
            backward_name(s.mixout.backward),
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
            let init = if p.name.starts_with("classifier.") {
                "new"
            } else if p.reinit {
                "re-init"
            } else {
                "pretrained"
            };
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
