//! Entry point of the web app: install the crash hook and mount. Everything else lives in the lib.

fn main() {
    refleqt::start();
}
