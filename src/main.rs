//! The page's entry point: Trunk builds this binary to wasm and calls `main`.

fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<amqp_playground_web::App>::new().render();
}
