"""Parts of the "Logic gates" tab: session state, layout, frames, handlers, API, export."""
