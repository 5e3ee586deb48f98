"""Jobs for the queue-order tests: each notes its name in Redis when a worker runs it."""
ORDER_KEY = "test:bulk:order"


def record(name: str) -> str:
    from wizard.redis import get_redis

    get_redis().rpush(ORDER_KEY, name)
    return name
