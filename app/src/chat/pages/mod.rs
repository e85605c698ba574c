//! Chat pages: the widget on every page and the agent console.
