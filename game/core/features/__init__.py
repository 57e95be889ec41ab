"""The features of the game, one module each, every one declaring its commands and events once
(`game.core.command.Feature`). `game.core.registry` gathers them in this order."""
