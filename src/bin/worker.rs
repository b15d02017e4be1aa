//! The attribution Web Worker's entry point (see `refleqt::worker`).

fn main() {
    refleqt::worker::runtime::start();
}
