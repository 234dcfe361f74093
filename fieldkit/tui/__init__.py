"""The Textual application: screens, widgets and the stylesheet."""
