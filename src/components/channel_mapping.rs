//! The editable channel → utm_source / utm_medium table of Settings (issue 5). Each row saves on
//! its own; a refused value shows why next to the row and changes nothing.

use crate::model::mapping::{reset, set_channel, table_rows};
use crate::state::AppState;
use leptos::prelude::*;

/// The mapping table.
#[component]
pub fn ChannelMappingTable(state: AppState) -> impl IntoView {
    let rows = Memo::new(move |_| {
        state
            .workspace
            .with(|ws| table_rows(&ws.settings.channel_mapping, &ws.channels()))
    });
    view! {
        <table class="mapping" data-testid="channel-mapping">
            <caption>
                "Channel → utm_source and utm_medium (used by every entry's tracking link and to match imports)"
            </caption>
            <thead>
                <tr>
                    <th scope="col">"Channel"</th>
                    <th scope="col" id="map-col-source">
                        "utm_source"
                    </th>
                    <th scope="col" id="map-col-medium">
                        "utm_medium"
                    </th>
                    <th scope="col">"Status"</th>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || rows.get().into_iter().enumerate()
                    key=|(i, r)| (*i, r.channel.clone(), r.source.clone(), r.medium.clone())
                    let:item
                >
                    <MappingRow
                        state=state
                        index=item.0
                        channel=item.1.channel
                        source=item.1.source
                        medium=item.1.medium
                    />
                </For>
            </tbody>
        </table>
        <button
            type="button"
            on:click=move |_| state.change(|ws| reset(&mut ws.settings.channel_mapping))
        >
            "Restore the default mapping"
        </button>
    }
}

#[component]
fn MappingRow(
    state: AppState,
    index: usize,
    channel: String,
    source: String,
    medium: String,
) -> impl IntoView {
    let source = RwSignal::new(source);
    let medium = RwSignal::new(medium);
    let error = RwSignal::new(None::<String>);
    let save = {
        let channel = channel.clone();
        move || {
            let (s, m) = (source.get_untracked(), medium.get_untracked());
            // Checked and applied once, on a copy: a refused edit changes (and saves) nothing.
            let mut trial = state
                .workspace
                .with_untracked(|ws| ws.settings.channel_mapping.clone());
            match set_channel(&mut trial, &channel, &s, &m) {
                Ok(()) => {
                    error.set(None);
                    state.change(move |ws| ws.settings.channel_mapping = trial);
                }
                Err(e) => error.set(Some(format!("Not saved: {e}."))),
            }
        }
    };
    let save2 = save.clone();
    let sid = format!("map-source-{index}");
    let mid = format!("map-medium-{index}");
    let eid = format!("map-error-{index}");
    let rid = format!("map-channel-{index}");
    view! {
        <tr>
            <th scope="row" id=rid.clone()>
                {channel.clone()}
            </th>
            <td>
                <input
                    id=sid
                    type="text"
                    aria-labelledby=format!("{rid} map-col-source")
                    prop:value=move || source.get()
                    aria-describedby=eid.clone()
                    on:input=move |ev| source.set(event_target_value(&ev))
                    on:change=move |_| save()
                />
            </td>
            <td>
                <input
                    id=mid
                    type="text"
                    aria-labelledby=format!("{rid} map-col-medium")
                    prop:value=move || medium.get()
                    aria-describedby=eid.clone()
                    on:input=move |ev| medium.set(event_target_value(&ev))
                    on:change=move |_| save2()
                />
            </td>
            <td>
                <span class="error" id=eid aria-live="polite">
                    {move || error.get()}
                </span>
            </td>
        </tr>
    }
}
