"""The throwaway test services start, answer and go away (tests/services.py)."""

from tests.services import ServiceUnavailable, _redis_answers, redis_server, unavailable


def test_a_redis_server_answers_on_loopback_and_is_gone_after():
    try:
        with redis_server() as url:
            port = int(url.rsplit(":", 1)[1].split("/")[0])
            assert url.startswith("redis://127.0.0.1:") and _redis_answers(port)
    except ServiceUnavailable as error:
        unavailable(str(error))
    assert not _redis_answers(port)


def test_the_postgres_server_is_the_one_the_store_tests_use(postgres):
    import psycopg

    with psycopg.connect(postgres.url) as connection:
        (address,) = connection.execute("SELECT inet_server_addr()::text").fetchone()
        assert address.startswith("127.0.0.1")
