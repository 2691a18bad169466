"""How people log in safely: two-factor login for every role that reads personal data (``otp``,
its pages in ``views`` and ``forms``, enforced on every page by ``middleware``) and django-axes'
lockout page (``views.lockout``).

The authentication backend stays at ``accounts.backends``: Django stores its dotted path in
every session, so moving it would log everyone out.
"""
