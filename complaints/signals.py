"""A new service starts with its category's questions (connected in ComplaintsConfig.ready)."""


def seed_service_questions(sender, instance, created, raw=False, **kwargs):
    """post_save of territory.ServiceType: in the same transaction as the service."""
    if created and not raw:
        from .services import service_questions_seed

        service_questions_seed(service_type=instance)
