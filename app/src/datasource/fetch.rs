//! The browser's [`Transport`]: gloo-net's fetch, a time limit and a Cancel button, both
//! through one AbortController per request.

use super::client::{HttpResponse, Transport};
use super::error::TransportFailure;
use super::request::HttpRequest;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Fetch over gloo-net. Clones share the request in flight, so a clone kept by the page
/// can [`FetchTransport::cancel`] what another clone started.
#[derive(Clone, Default)]
pub struct FetchTransport {
    in_flight: Rc<RefCell<Vec<web_sys::AbortController>>>,
}

impl FetchTransport {
    /// Aborts every request in flight; each ends as [`TransportFailure::Aborted`].
    pub fn cancel(&self) {
        for c in self.in_flight.borrow_mut().drain(..) {
            c.abort();
        }
    }
}

impl Transport for FetchTransport {
    async fn get(&self, req: &HttpRequest) -> Result<HttpResponse, TransportFailure> {
        let controller = web_sys::AbortController::new()
            .map_err(|e| TransportFailure::Network(format!("{e:?}")))?;
        let timed_out = Rc::new(Cell::new(false));
        // The timer aborts the same controller as Cancel; the flag tells the two apart.
        let timer = {
            let controller = controller.clone();
            let timed_out = timed_out.clone();
            Closure::<dyn FnMut()>::new(move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let timer_id = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                timer.as_ref().unchecked_ref(),
                i32::try_from(req.timeout_ms).unwrap_or(i32::MAX),
            )
            .ok()
        });
        self.in_flight.borrow_mut().push(controller.clone());
        let signal = controller.signal();
        let mut builder = gloo_net::http::Request::get(&req.url).abort_signal(Some(&signal));
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        let outcome = async {
            let resp = builder.send().await?;
            let status = resp.status();
            let content_type = resp.headers().get("content-type");
            let body = resp.text().await?;
            Ok::<_, gloo_net::Error>(HttpResponse {
                status,
                content_type,
                body,
            })
        }
        .await;
        if let (Some(w), Some(id)) = (web_sys::window(), timer_id) {
            w.clear_timeout_with_handle(id);
        }
        drop(timer);
        self.in_flight
            .borrow_mut()
            .retain(|c| !js_sys::Object::is(c, &controller));
        outcome.map_err(|e| {
            if timed_out.get() {
                TransportFailure::Timeout
            } else if signal.aborted() {
                TransportFailure::Aborted
            } else {
                TransportFailure::Network(e.to_string())
            }
        })
    }

    async fn reachable(&self, url: &str) -> bool {
        // An opaque (no-cors) response needs no CORS headers: it arrives whenever the
        // server answered at all.
        gloo_net::http::Request::get(url)
            .mode(web_sys::RequestMode::NoCors)
            .send()
            .await
            .is_ok()
    }

    fn origin(&self) -> Option<String> {
        web_sys::window().and_then(|w| w.location().origin().ok())
    }
}
