//! `refleqt`: the command line over the attribution engine.

fn main() {
    println!("refleqt {}", env!("CARGO_PKG_VERSION"));
}
