"""Personal data and ARCO rights (access, rectification, cancellation, opposition): the rules
and writes in ``arco``, the privacy notice and "your data" pages in ``views``, ``forms`` and
``urls`` (namespace ``privacy``, at /privacy/ and /account/).
"""
