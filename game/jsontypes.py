"""Types for plain JSON data at the edges: parsed YAML or JSON, payloads and stored events.

`JSON` is exact: a reader narrows it with `isinstance` before use, as the deck checks do.
`JSONDict` is a JSON object whose fields its reader knows from elsewhere (an event record of
`game.core.events`, an answer remembered for a client id), so its values are `Any`: the one escape
hatch from the types, kept to data that is being (de)serialised.
"""

from typing import Any, TypeAlias

JSON: TypeAlias = str | int | float | bool | None | list["JSON"] | dict[str, "JSON"]
JSONDict: TypeAlias = dict[str, Any]
