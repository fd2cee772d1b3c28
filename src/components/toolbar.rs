//! Publish, consumer switches, playback controls and the preset picker.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::scene::Theme;
use crate::sim::{presets, PublishRequest};
use crate::state::{use_playground, Action};

/// The controls above the diagram.
#[component]
pub fn Toolbar() -> Html {
    let state = use_playground();
    let (has_producer, consumers, scenario, default_key) = {
        let engine = state.engine.borrow();
        let s = engine.scenario();
        let key = s
            .producers
            .first()
            .map(|p| p.routing_key.clone())
            .unwrap_or_default();
        (
            !s.producers.is_empty(),
            engine.consumer_views(),
            s.name.clone(),
            key,
        )
    };
    // The key being typed; a new scenario starts from its producer's own key.
    let routing_key = use_state(|| default_key.clone());
    {
        let routing_key = routing_key.clone();
        use_effect_with(scenario.clone(), move |_| routing_key.set(default_key));
    }
    let on_key = {
        let routing_key = routing_key.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            routing_key.set(input.value());
        })
    };

    let mandatory = use_state(|| false);
    let toggle_mandatory = {
        let mandatory = mandatory.clone();
        Callback::from(move |_: Event| mandatory.set(!*mandatory))
    };
    let publish = {
        let state = state.clone();
        let routing_key = routing_key.clone();
        let mandatory = mandatory.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::Publish(PublishRequest {
                routing_key: Some((*routing_key).clone()),
                mandatory: *mandatory,
                ..PublishRequest::default()
            }))
        })
    };
    let burst = {
        let state = state.clone();
        let routing_key = routing_key.clone();
        let mandatory = mandatory.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::Burst(
                PublishRequest {
                    routing_key: Some((*routing_key).clone()),
                    mandatory: *mandatory,
                    ..PublishRequest::default()
                },
                10,
            ))
        })
    };
    let rate_now = {
        let engine = state.engine.borrow();
        engine
            .scenario()
            .producers
            .first()
            .map_or(0.0, |p| engine.rate(&p.name))
    };
    let rate = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(r) = select.value().parse::<f64>() {
                state.dispatch(Action::SetRate(None, r));
            }
        })
    };
    let play_pause = {
        let state = state.clone();
        let playing = state.playing;
        Callback::from(move |_: MouseEvent| {
            state.dispatch(if playing { Action::Pause } else { Action::Play })
        })
    };
    let (can_undo, can_redo) = {
        let h = state.history.borrow();
        (h.can_undo(), h.can_redo())
    };
    let undo = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Undo))
    };
    let redo = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Redo))
    };
    let step = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Step))
    };
    let speed = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(s) = select.value().parse::<f64>() {
                state.dispatch(Action::SetSpeed(s));
            }
        })
    };
    let theme = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(t) = Theme::by_id(&select.value()) {
                state.dispatch(Action::SetTheme(t));
            }
        })
    };
    let zoom = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(z) = select.value().parse::<f64>() {
                state.dispatch(Action::SetZoom(z));
            }
        })
    };
    let preset = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            state.dispatch(Action::LoadPreset(select.value()));
        })
    };
    let consumer_switches = consumers.into_iter().map(|c| {
        let state = state.clone();
        let name = c.name.clone();
        let on = !c.consuming;
        let toggle = Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::SetConsuming {
                consumer: name.clone(),
                on,
            })
        });
        html! {
            <button class="consumer-switch" data-consumer={c.name.clone()} onclick={toggle}
                aria-pressed={c.consuming.to_string()}>
                { if c.consuming { format!("Stop {}", c.name) } else { format!("Start {}", c.name) } }
            </button>
        }
    });

    html! {
        <div class="toolbar" role="toolbar" aria-label="Playground controls">
            <label class="preset">
                { "Tutorial " }
                <select id="preset" onchange={preset}>
                    // A scenario of one's own (a file, the API, edits saved under a new name).
                    if !presets::NAMES.contains(&scenario.as_str()) {
                        <option value="" selected=true disabled=true>{ format!("{scenario} (own)") }</option>
                    }
                    { for presets::NAMES.iter().map(|n| html! {
                        <option value={*n} selected={*n == scenario}>{ *n }</option>
                    }) }
                </select>
            </label>
            <label class="routing-key">
                { "Routing key " }
                <input id="routing-key" type="text" size="18" spellcheck="false"
                    value={(*routing_key).clone()} oninput={on_key} />
            </label>
            <label title="Return the message to P when no queue takes it (basic.return)">
                <input id="mandatory" type="checkbox" checked={*mandatory} onchange={toggle_mandatory} />
                { " mandatory" }
            </label>
            <button id="publish" class="primary" onclick={publish} disabled={!has_producer}>
                { "Publish" }
            </button>
            <button id="burst" onclick={burst} disabled={!has_producer} title="Publish ten messages">{ "×10" }</button>
            <label title="Publish steadily on the virtual clock">
                <select id="rate" aria-label="messages per second" onchange={rate} disabled={!has_producer}>
                    { for ["0", "1", "2", "5", "10"].iter().map(|r| html! {
                        <option value={*r} selected={r.parse::<f64>().ok() == Some(rate_now)}>
                            { if *r == "0" { "no stream".to_string() } else { format!("{r}/s") } }
                        </option>
                    }) }
                </select>
            </label>
            { for consumer_switches }
            <span class="history">
                <button id="undo" onclick={undo} disabled={!can_undo} title="Undo (Ctrl+Z)">{ "Undo" }</button>
                <button id="redo" onclick={redo} disabled={!can_redo} title="Redo (Ctrl+Shift+Z)">{ "Redo" }</button>
            </span>
            <label class="theme">
                { "Look " }
                <select id="theme" onchange={theme}>
                    { for Theme::ALL.iter().map(|t| html! {
                        <option value={t.id()} selected={*t == state.theme}>{ t.id() }</option>
                    }) }
                </select>
            </label>
            <label class="zoom">
                { "Zoom " }
                <select id="zoom" onchange={zoom}>
                    { for [("1", "fit"), ("1.5", "150%"), ("2", "200%"), ("3", "300%")].iter().map(|(v, label)| html! {
                        <option value={*v} selected={v.parse::<f64>().ok() == Some(state.zoom)}>{ *label }</option>
                    }) }
                </select>
            </label>
            <span class="playback">
                <button id="play" onclick={play_pause}>{ if state.playing { "Pause" } else { "Play" } }</button>
                <button id="step" onclick={step}>{ "Step" }</button>
                <label>
                    { "Speed " }
                    <select id="speed" onchange={speed}>
                        { for ["0.25", "0.5", "1", "2", "4", "8"].iter().map(|s| html! {
                            <option value={*s} selected={s.parse::<f64>().ok() == Some(state.speed)}>{ format!("{s}×") }</option>
                        }) }
                    </select>
                </label>
            </span>
        </div>
    }
}
