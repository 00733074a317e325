//! Entry point of the browser build: installs the panic hook and mounts the app on <body>.
//! Everything else lives in the library so that tests can mount components on their own.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
