"""The organisers' shell: the deck editor's pages and API, print sheets and spreadsheets, PDF."""
