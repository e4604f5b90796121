"""The OAIMS module's Qt-free parts: Logic, settings, dependency install, background jobs, click history."""
