//! The `pasar` binary: parse the command line, run it, exit with its code.

use clap::Parser;

fn main() {
    let cli = pasar::cli::Cli::parse();
    match pasar::cli::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("pasar: {e:#}");
            std::process::exit(2);
        }
    }
}
