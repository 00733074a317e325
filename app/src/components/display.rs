//! What the browser says about the display: an element's size as it changes, the device
//! pixel ratio, the colour scheme.

use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Device pixels per CSS pixel (at least 1).
pub fn pixel_ratio() -> f64 {
    window().device_pixel_ratio().max(1.0)
}

/// Whether the system asks for a dark theme.
pub fn prefers_dark() -> bool {
    window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Keeps `size` equal to the canvas's CSS size as the page resizes, through a
/// `ResizeObserver` that is disconnected when the owning component goes away.
pub fn observe_size(target: NodeRef<html::Canvas>, size: RwSignal<(f64, f64)>) {
    Effect::new(move |_| {
        let Some(el) = target.get() else { return };
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            if let Some(entry) = entries.get(0).dyn_ref::<web_sys::ResizeObserverEntry>() {
                let rect = entry.content_rect();
                size.try_set((rect.width().floor(), rect.height().floor()));
            }
        });
        let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) else {
            return;
        };
        observer.observe(&el);
        size.set((f64::from(el.client_width()), f64::from(el.client_height())));
        let held = SendWrapper::new((observer, callback));
        on_cleanup(move || {
            let (observer, _callback) = held.take();
            observer.disconnect();
        });
    });
}
