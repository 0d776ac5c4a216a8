    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The YAML file sits below the environment, so APP_* variables still win.
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            StrictYamlSource(settings_cls),
            file_secret_settings,
        )
