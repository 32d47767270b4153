//! `mixout check`: validate an experiment file and list its runs with their baselines.

use anyhow::Result;
use mixout::study::{Overrides, Study};
use mixout_spec::{sanitize, DecayTarget, Experiment, Setting};
use std::path::PathBuf;

/// Arguments of `mixout check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Experiment YAML.
    pub file: PathBuf,
    /// Print only the experiment name (its results folder name).
    #[arg(long)]
    pub name_only: bool,
}

/// One line describing a run's setting.
fn describe(s: &Setting, run_id: &str, baseline: &str) -> String {
    let extra = match (s.reinit_layers, s.llrd) {
        (0, None) => String::new(),
        (k, g) => format!(
            "{}{}",
            if k > 0 { format!(" reinit {k}") } else { String::new() },
            g.map(|g| format!(" llrd {g}")).unwrap_or_default()
        ),
    };
    let label = s.label.clone().unwrap_or_default();
    format!(
        "  {:<32} task {:<6} lr {:<8} dropout {:<4} mixout {:<4} wdecay {}({}) head {}{} precision {} vs {}",
        run_id,
        s.task.clone().unwrap_or_else(|| "custom".into()),
        s.lr,
        s.encoder_dropout(),
        s.mixout.p,
        s.weight_decay.lambda,
        if s.weight_decay.toward == DecayTarget::Zero { "0" } else { "w_pre" },
        s.head_label(),
        extra,
        s.precision.name(),
        if baseline == label { "itself (baseline)".to_string() } else { format!("`{baseline}`") }
    )
}

/// Runs `mixout check`.
pub fn run(a: CheckArgs) -> Result<()> {
    let exp = Experiment::load(&a.file)?;
    if a.name_only {
        println!("{}", sanitize(&exp.name));
        return Ok(());
    }
    let study = Study::resolve(exp, &Overrides { jobs: 1, ..Default::default() });
    let unavailable = mixout::train::assemble::preflight(&study, &study.settings)?;
    println!(
        "{}: experiment `{}`, {} setting(s), {} run(s)",
        a.file.display(),
        study.name,
        study.settings.len(),
        study.runs.len()
    );
    if !unavailable.is_empty() {
        println!("  model not available here, weight selection not checked for:");
        for u in &unavailable {
            println!("    {u}");
        }
    }
    for r in &study.runs {
        let ss = study.setting_of(r);
        println!("{}", describe(&r.setting, &r.run_id, &ss.baseline));
    }
    Ok(())
}
