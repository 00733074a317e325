//! Entry point of the Web Worker build: installs the panic hook and starts the message loop.
//! The protocol and the request handling live in the library (`app::worker`).

fn main() {
    console_error_panic_hook::set_once();
    app::worker::host::run();
}
