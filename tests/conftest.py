pytest_plugins = ["tests.kit.fixtures"]
