use super::workbench::{ServerState, use_workbench};
use crate::datasource::Auth;
use crate::datasource::setting::Setting;
use leptos::prelude::*;

/// Where queries go: the simulator (default) or a Prometheus-compatible server, with its
/// credentials, the "remember" choice, and the server's version and round trip.
#[component]
pub fn DataSourcePicker() -> impl IntoView {
    let wb = use_workbench();
    let initial = wb.source.get_untracked();
    let (kind0, url0, auth0, remember0) = match &initial {
        Setting::Simulator => ("simulator", String::new(), Auth::None, false),
        Setting::Server {
            url,
            auth,
            remember,
        } => ("server", url.clone(), auth.clone(), *remember),
    };
    let kind = RwSignal::new(kind0.to_string());
    let url = RwSignal::new(url0);
    let (auth_kind0, token0, user0, password0) = match auth0 {
        Auth::None => ("none", String::new(), String::new(), String::new()),
        Auth::Bearer(t) => ("bearer", t, String::new(), String::new()),
        Auth::Basic { user, password } => ("basic", String::new(), user, password),
    };
    let auth_kind = RwSignal::new(auth_kind0.to_string());
    let token = RwSignal::new(token0);
    let user = RwSignal::new(user0);
    let password = RwSignal::new(password0);
    let remember = RwSignal::new(remember0);
    if initial.is_server() {
        wb.check_server();
    }

    let apply = move || {
        let setting = if kind.get_untracked() == "server" {
            Setting::Server {
                url: url.get_untracked(),
                auth: match auth_kind.get_untracked().as_str() {
                    "bearer" => Auth::Bearer(token.get_untracked()),
                    "basic" => Auth::Basic {
                        user: user.get_untracked(),
                        password: password.get_untracked(),
                    },
                    _ => Auth::None,
                },
                remember: remember.get_untracked(),
            }
        } else {
            Setting::Simulator
        };
        wb.set_source(setting);
    };
    let on_server = move || kind.get() == "server";
    let status = move || match wb.server.get() {
        ServerState::NotUsed => None,
        ServerState::Checking => {
            Some(view! { <p class="server-status">"Connecting…"</p> }.into_any())
        }
        ServerState::Connected {
            info,
            round_trip_ms,
        } => Some(
            view! {
                <p class="server-status connected">
                    {format!("Prometheus {} · {:.0} ms round trip", info.version, round_trip_ms)}
                </p>
            }
            .into_any(),
        ),
        ServerState::Failed(e) => {
            let hint = match &e {
                crate::worker::protocol::WorkerError::Source { hint, .. } => hint.clone(),
                _ => String::new(),
            };
            Some(
                view! {
                    <div class="server-status run-error" role="alert">
                        <p>{e.to_string()}</p>
                        <Show when={let h = hint.clone(); move || !h.is_empty()}>
                            <p class="detail">{hint.clone()}</p>
                        </Show>
                    </div>
                }
                .into_any(),
            )
        }
    };
    view! {
        // Folded while the simulator is the source, so on a phone the editor stays on the
        // first screen; open while a server is.
        <details class="data-source" open=initial.is_server()>
            <summary>
                {move || if wb.source.with(Setting::is_server) {
                    "Data source: Prometheus server"
                } else {
                    "Data source: Simulator"
                }}
            </summary>
            <label>
                "Source "
                <select aria-label="Data source" prop:value=move || kind.get()
                    on:change=move |ev| {
                        kind.set(event_target_value(&ev));
                        if kind.get_untracked() == "simulator" {
                            apply();
                        }
                    }>
                    <option value="simulator">"Simulator"</option>
                    <option value="server">"Prometheus server"</option>
                </select>
            </label>
            <Show when=on_server>
                <form class="server-form" on:submit=move |ev| {
                    ev.prevent_default();
                    apply();
                }>
                    <label>"URL "
                        <input type="url" aria-label="Server URL" placeholder="http://localhost:9090"
                            prop:value=move || url.get()
                            on:input=move |ev| url.set(event_target_value(&ev))/>
                    </label>
                    <label>"Auth "
                        <select aria-label="Authentication" prop:value=move || auth_kind.get()
                            on:change=move |ev| auth_kind.set(event_target_value(&ev))>
                            <option value="none">"None"</option>
                            <option value="bearer">"Bearer token"</option>
                            <option value="basic">"Basic (user, password)"</option>
                        </select>
                    </label>
                    <Show when=move || auth_kind.get() == "bearer">
                        <input type="password" aria-label="Bearer token" placeholder="token"
                            prop:value=move || token.get()
                            on:input=move |ev| token.set(event_target_value(&ev))/>
                    </Show>
                    <Show when=move || auth_kind.get() == "basic">
                        <input type="text" aria-label="User" placeholder="user"
                            prop:value=move || user.get()
                            on:input=move |ev| user.set(event_target_value(&ev))/>
                        <input type="password" aria-label="Password" placeholder="password"
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))/>
                    </Show>
                    <label>
                        <input type="checkbox" aria-label="Remember" prop:checked=move || remember.get()
                            on:change=move |ev| remember.set(event_target_checked(&ev))/>
                        " Remember"
                    </label>
                    <Show when=move || remember.get()>
                        <p class="note">
                            "The address and credentials will be kept in this browser's \
                             localStorage; untick to keep them only in memory for this tab."
                        </p>
                    </Show>
                    <button type="submit">"Connect"</button>
                </form>
            </Show>
            {status}
        </details>
    }
}
