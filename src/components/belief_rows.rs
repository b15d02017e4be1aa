//! An entry's "Belief | Impact | Action" table (engine `beliefs::artifact_table` over the
//! workspace's belief scores), or a line saying no belief speaks about it.

use crate::model::evidence::belief_scores;
use crate::state::AppState;
use leptos::prelude::*;
use refleqt_engine::beliefs::artifact_table;

#[component]
pub fn BeliefRows(state: AppState, entry_id: u64) -> impl IntoView {
    let rows = Memo::new(move |_| {
        let index = state.values.get();
        state.workspace.with(|ws| {
            let scores = belief_scores(ws, &index);
            artifact_table(&ws.beliefs, &scores, &entry_id.to_string())
        })
    });
    view! {
        <section class="entry-beliefs" aria-labelledby="entry-beliefs-heading">
            <h2 id="entry-beliefs-heading">"Beliefs this artifact moved"</h2>
            {move || {
                let rows = rows.get();
                if rows.is_empty() {
                    return view! {
                        <p data-testid="no-belief-rows">
                            "No belief speaks about this artifact on a metric it has a result and an expectation for. "
                            <a href="#/beliefs">"See the beliefs"</a>
                        </p>
                    }
                        .into_any();
                }
                view! {
                    <table class="data" data-testid="belief-rows">
                        <thead>
                            <tr>
                                <th scope="col">"Belief"</th>
                                <th scope="col">"Impact"</th>
                                <th scope="col">"Action"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|r| {
                                    view! {
                                        <tr>
                                            <td>
                                                <a href="#/beliefs">{r.statement.clone()}</a>
                                            </td>
                                            <td>
                                                {format!("{:+.2}", r.impact).replacen('-', "\u{2212}", 1)}
                                            </td>
                                            <td>{r.action.label()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}
