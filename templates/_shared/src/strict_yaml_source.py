class StrictYamlSource(YamlConfigSettingsSource):
    """The YAML config, where a misspelt key is an error rather than silently ignored."""

    def __call__(self) -> dict:
        try:
            values = super().__call__()
        except (TypeError, ValueError) as error:
            raise ValueError(f"{CONFIG_FILE} must be a mapping of setting: value") from error
        unknown = sorted(set(values) - set(self.settings_cls.model_fields))
        if unknown:
            raise ValueError(
                f"{CONFIG_FILE} has unknown settings {unknown}; "
                f"known ones are: {', '.join(self.settings_cls.model_fields)}"
            )
        return values
