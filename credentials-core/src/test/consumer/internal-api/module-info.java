/** A platform module that reaches for the library's internal packages. */
module com.example.consumer {
    requires dev.credentials.core;
}
