"""What storefront.serving tells the pages it serves (kept apart so importing it loads no server)."""

# Set in a page's WSGI environ by storefront.serving: the same server answers the order streams.
STREAMS_ENVIRON_KEY = "storefront.serves_streams"
