"""Job functions the tests queue: a sync-shaped job that crashes (as the engine re-raises an unexpected
error), and one that does nothing."""

SECRET_REFRESH = "1//0gPLANTEDrefreshTOKENvalue"
SECRET_ACCESS = "ya29.PLANTEDaccessTOKENvalue"


def explode(account_id, object, run_id):
    # A local holding a secret: RQ's traceback could show frames, the page must show only the last line.
    credentials = {"refresh_token": SECRET_REFRESH}  # noqa: F841
    raise RuntimeError(f"Google refused: access_token={SECRET_ACCESS} refresh_token={SECRET_REFRESH} "
                       f"Authorization: Bearer {SECRET_ACCESS}")


def noop():
    return None
