"""Entry points: thin jobs that read config, call transforms, write tables and run gates."""
