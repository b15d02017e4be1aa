//! `refleqt`: the command line over the attribution engine (argument parsing and file IO only).

mod args;

use args::Command;
use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match args::parse(&argv) {
        Ok(Command::Help) => {
            println!("{}", args::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("refleqt {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Attribute(_) | Command::Simulate(_)) => {
            eprintln!("refleqt: this command arrives with the attribution engine");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("refleqt: {e}\n\n{}", args::USAGE);
            ExitCode::from(2)
        }
    }
}
