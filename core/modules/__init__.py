"""What each publish module is, in one place: `registry` holds one `ModuleDefinition` per module.

`definition` is the dataclass, `registry` the four definitions and their
look-ups, `rules` the value rules a spec applies, `entities` the key columns
and the entities they name, `fields` the Procore fields each module writes as
people call them, and `targets` how each module writes to Procore.
Nothing here imports `core.publishing`, `core.dashboards`, `core.sync` or
`core.ui`: they all read the registry.
"""
