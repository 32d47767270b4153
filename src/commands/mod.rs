//! The subcommands, one file each, each owning its clap arguments. A command resolves its
//! study once ([`mixout::study::Study`]) and passes it down.

pub mod bench;
pub mod check;
pub mod doctor;
pub mod inspect;
pub mod predict;
pub mod report;
pub mod run;
pub mod slurm;
pub mod status;
