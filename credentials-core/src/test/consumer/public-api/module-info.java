/** A platform module that uses the library as its documentation says. */
module com.example.consumer {
    requires dev.credentials.core;
}
